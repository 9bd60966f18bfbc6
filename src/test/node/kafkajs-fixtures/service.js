'use strict';
// One service of a recording, in its own Node process as in production: its own OpenTelemetry SDK (resource
// service.name, W3C propagation, async-local context), @opentelemetry/instrumentation-kafkajs patching kafkajs,
// and every finished span kept in memory, written on exit as OTLP/JSON lines (one per 1 s export window, as a
// batch span processor would send them).
//
//   node service.js producer <service> <bootstrap> <topic> <orders> <spacingMs> <spansFile>
//   node service.js <each-message|each-batch> <service> <bootstrap> <topic> <orders> <behaviour> <spansFile> <group>
//
// behaviours: ok | throw-once (the handler throws on a record's first delivery; kafkajs delivers it again)
//             | fail-inside (the handler records the failure on a span of its own and carries on)

const fs = require('fs');
const api = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
const { JsonTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { KafkaJsInstrumentation } = require('@opentelemetry/instrumentation-kafkajs');

const [role, service, bootstrap, topic, ordersArg, option, spansFile, group] = process.argv.slice(2);
const orders = Number(ordersArg);

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': service }),
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
api.trace.setGlobalTracerProvider(provider);
const instrumentation = new KafkaJsInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.enable();
// Only now: the instrumentation patches kafkajs as it is loaded.
const { Kafka, logLevel } = require('kafkajs');

const tracer = api.trace.getTracer('fixture-' + service);
const kafka = new Kafka({ clientId: service, brokers: [bootstrap], logLevel: logLevel.NOTHING });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function writeSpans() {
  const spans = exporter.getFinishedSpans().slice().sort((a, b) => endNanos(a) - endNanos(b));
  const lines = [];
  let window = [];
  let windowEnd = -Infinity;
  for (const s of spans) {
    if (endNanos(s) > windowEnd && window.length > 0) {
      lines.push(window);
      window = [];
    }
    if (window.length === 0) {
      windowEnd = endNanos(s) + 1e9;
    }
    window.push(s);
  }
  if (window.length > 0) {
    lines.push(window);
  }
  const text = lines.map((w) => Buffer.from(JsonTraceSerializer.serializeRequest(w)).toString('utf8')).join('\n');
  fs.writeFileSync(spansFile, text.length > 0 ? text + '\n' : '');
}

function endNanos(span) {
  return span.endTime[0] * 1e9 + span.endTime[1];
}

/** A database call inside the handler: a CLIENT span, failed when `failure` is given. */
function call(name, failure) {
  return tracer.startActiveSpan(name, { kind: api.SpanKind.CLIENT, attributes: {
    'db.system.name': 'postgresql', 'db.operation.name': name.split(' ')[0] } }, (span) => {
    if (failure) {
      span.recordException(new Error(failure));
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: failure });
    }
    span.end();
  });
}

async function produce() {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let n = 1; n <= orders; n++) {
    await tracer.startActiveSpan('POST /orders', { kind: api.SpanKind.SERVER, attributes: {
      'http.request.method': 'POST', 'http.route': '/orders', correlation_id: 'order-' + n } }, async (span) => {
      try {
        await producer.send({ topic, messages: [{ key: 'order-' + n, value: JSON.stringify({
          eventId: 'evt-' + n, correlationId: 'order-' + n, eventName: 'order.created',
          payload: { orderId: 'ord-' + n } }) }] });
      } finally {
        span.end();
      }
    });
    if (Number(option) > 0) {
      await sleep(Number(option));
    }
  }
  await producer.disconnect();
}

async function consume(eachBatch, behaviour) {
  const consumer = kafka.consumer({ groupId: group, retry: { initialRetryTime: 100, retries: 8 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const handled = new Set();
  const failedOnce = new Set();
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  const handle = (message) => {
    if (behaviour === 'throw-once' && !failedOnce.has(message.offset)) {
      failedOnce.add(message.offset);
      throw new Error(service + ' gateway timeout');
    }
    if (behaviour === 'fail-inside') {
      tracer.startActiveSpan('store-event', { kind: api.SpanKind.INTERNAL }, (span) => {
        const e = new Error(service + ' store unavailable');
        span.recordException(e);
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: e.message });
        span.end();
      });
    } else {
      call('INSERT facts');
    }
  };
  const settle = (message) => {
    handled.add(message.offset);
    if (handled.size >= orders) {
      resolveDone();
    }
  };
  if (eachBatch) {
    await consumer.run({ eachBatchAutoResolve: true, eachBatch: async ({ batch }) => {
      if (behaviour === 'throw-once' && batch.messages.some((m) => !failedOnce.has(m.offset))) {
        batch.messages.forEach((m) => failedOnce.add(m.offset));
        throw new Error(service + ' gateway timeout');
      }
      handle(batch.messages[0]);
      batch.messages.forEach(settle);
    } });
  } else {
    await consumer.run({ eachMessage: async ({ message }) => {
      handle(message);
      settle(message);
    } });
  }
  const timeout = setTimeout(() => { console.error(service + ': timed out'); resolveDone(); }, 60000);
  await done;
  clearTimeout(timeout);
  // Lets the instrumentation end the spans of the last batch before the consumer stops.
  await sleep(300);
  await consumer.disconnect();
  if (handled.size < orders) {
    throw new Error(service + ' handled ' + handled.size + ' of ' + orders + ' records');
  }
}

(async () => {
  if (role === 'producer') {
    await produce();
  } else {
    await consume(role === 'each-batch', option);
  }
  await provider.forceFlush();
  writeSpans();
  console.log(service + ': done, ' + exporter.getFinishedSpans().length + ' spans');
})().catch((e) => {
  console.error(service + ': ' + (e && e.stack ? e.stack : e));
  try { writeSpans(); } catch (ignored) { /* the error above is what matters */ }
  process.exit(1);
});
