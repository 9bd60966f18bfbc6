'use strict';
// Records the kafkajs fixtures: for each scenario, a fresh single-partition topic, its consumer services started
// (each its own Node process, see service.js), the order service publishing, everything run to the end; then the
// topic read back with its real headers. Writes <out>/<scenario>/spans.otlp.jsonl and events.ndjson, the input
// `tracestitch replay` reads.
//
//   node record.js <bootstrap> <out dir>

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, outDir] = process.argv.slice(2);
const ORDERS = 4;

// consumers: [mode, service, behaviour, group]; kafkajs' spans name no consumer group, so the groups here are
// named unlike the services on purpose: the graph can only call a consumer by its service.
const SCENARIOS = {
  'each-message': { spacingMs: 150, consumers: [
    ['each-message', 'inventory', 'ok', 'inventory-group'],
    ['each-message', 'payment', 'throw-once', 'payment-group']] },
  'handler-failure': { spacingMs: 150, consumers: [
    ['each-message', 'analytics', 'fail-inside', 'analytics-group']] },
  'each-batch': { spacingMs: 0, startConsumersAfter: true, consumers: [
    ['each-batch', 'loyalty', 'ok', 'loyalty-group'],
    ['each-batch', 'billing', 'throw-once', 'billing-group'],
    ['each-batch', 'search', 'fail-inside', 'search-group']] },
};

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'service.js'), ...args], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error('service.js ' + args[0] + ' ' + args[1]
      + ' exited with ' + code))));
  });
}

async function readTopic(kafka, topic, count) {
  const consumer = kafka.consumer({ groupId: 'fixture-reader-' + topic });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const lines = [];
  await new Promise((resolve) => consumer.run({ eachMessage: async ({ message }) => {
    const headers = {};
    for (const [k, v] of Object.entries(message.headers || {})) {
      headers[k] = v.toString('utf8');
    }
    lines.push(JSON.stringify({ topic, key: message.key ? message.key.toString('utf8') : null,
      timestamp: Number(message.timestamp), headers, value: message.value.toString('utf8') }));
    if (lines.length >= count) {
      resolve();
    }
  } }));
  await consumer.disconnect();
  return lines;
}

(async () => {
  const kafka = new Kafka({ clientId: 'fixture-recorder', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    // A topic of this run only: what an earlier run left on the broker must not be read back as this one's.
    const topic = 'kafkajs-' + name + '-' + Date.now().toString(36) + '-order.created';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const dir = path.join(outDir, name);
    const work = path.join(dir, 'parts');
    fs.mkdirSync(work, { recursive: true });
    const consumerArgs = scenario.consumers.map(([mode, service, behaviour, group]) =>
      [mode, service, bootstrap, topic, String(ORDERS), behaviour, path.join(work, service + '.jsonl'), group]);
    const producerArgs = ['producer', 'order', bootstrap, topic, String(ORDERS), String(scenario.spacingMs),
      path.join(work, 'order.jsonl')];
    if (scenario.startConsumersAfter) {
      // Everything is on the topic before anyone polls, so each consumer's first batch holds every order.
      await run(producerArgs);
      await Promise.all(consumerArgs.map(run));
    } else {
      const consumers = Promise.all(consumerArgs.map(run));
      await new Promise((r) => setTimeout(r, 3000)); // lets the groups form before the first order
      await run(producerArgs);
      await consumers;
    }
    const spans = fs.readdirSync(work).sort().map((f) => fs.readFileSync(path.join(work, f), 'utf8')).join('');
    fs.writeFileSync(path.join(dir, 'spans.otlp.jsonl'), spans);
    fs.writeFileSync(path.join(dir, 'events.ndjson'), (await readTopic(kafka, topic, ORDERS)).join('\n') + '\n');
    fs.rmSync(work, { recursive: true });
    console.log(name + ': recorded');
  }
  await admin.disconnect();
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
