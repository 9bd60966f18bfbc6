// The details of what is selected: a span (service, kind, status, exceptions, and the attributes tracestitch kept
// for it, read from the stored span), an event, or a business step (as its node-graph row says).
import {badge, clear, duration, el, getJson, moment, segment} from './common.js';

/** Shows a graph node (span or event) of the workflow. */
export async function showNode(panel, workflowId, node, branch) {
  open(panel, node.kind === 'EVENT' ? 'Event ' + (node.name || node.eventId || '') : 'Span ' + (node.name || ''));
  const facts = node.kind === 'EVENT'
      ? [
        ['event', node.name], ['event id', node.eventId], ['delivery', node.attempt > 1 ? String(node.attempt) : null],
        ['published by', node.service], ['published at', moment(node.startMs)], ['topic', node.topic],
        ['partition', node.partition], ['offset', node.offset], ['trace id', node.traceId],
        ['producer span id', node.spanId],
      ]
      : [
        ['service', node.service], ['name', node.name], ['kind', node.spanKind], ['status', badge(node.status)],
        ['status message', node.statusMessage], ['consumer', node.consumer],
        ['attempt', branch ? node.attempt + ' of ' + branch.attempts + ' (' + branch.consumer + ' handling '
            + (branch.eventName || 'an event') + ', ' + branch.state + ')' : null],
        ['started', moment(node.startMs)], ['duration', duration(node.durationMs)], ['trace id', node.traceId],
        ['span id', node.spanId], ['parent span id', node.parentSpanId], ['topic', node.topic],
        ['partition', node.partition], ['offset', node.offset],
      ];
  panel.appendChild(factList(facts));
  if (node.exceptions && node.exceptions.length) {
    panel.appendChild(el('h4', null, 'Exceptions'));
    panel.appendChild(el('ul', {class: 'exceptions'}, node.exceptions.map(x => el('li', null, x))));
  }
  if (node.kind !== 'SPAN' || !node.traceId || !node.spanId) {
    return;
  }
  const stored = el('div', {class: 'stored-span'}, el('p', {class: 'hint'}, 'Reading the stored span…'));
  panel.appendChild(stored);
  const answer = await getJson('/api/workflows/' + segment(workflowId) + '/spans/' + segment(node.traceId) + '/'
      + segment(node.spanId));
  clear(stored);
  if (!answer.ok) {
    stored.appendChild(el('p', {class: 'problem'}, answer.body.error || 'The stored span could not be read.'));
    return;
  }
  const span = answer.body.span || {};
  const attributes = Object.entries(span.attributes || {}).sort((a, b) => a[0].localeCompare(b[0]));
  stored.appendChild(el('h4', null, 'Attributes kept'
      + (span.attributesTruncated ? ' (more were left out: the cap on kept attributes was reached)' : '')));
  stored.appendChild(attributes.length
      ? el('table', {class: 'attributes'}, el('tbody', null, attributes.map(([k, v]) =>
          el('tr', null, el('th', null, k), el('td', null, v)))))
      : el('p', {class: 'hint'}, 'None kept for this span.'));
  if (span.links && span.links.length) {
    stored.appendChild(el('h4', null, 'Links'));
    stored.appendChild(el('ul', null, span.links.map(l => el('li', null, 'trace ' + l.traceId + ' span ' + l.spanId))));
  }
  if (span.messaging) {
    stored.appendChild(el('h4', null, 'Messaging'));
    stored.appendChild(factList(Object.entries(span.messaging)));
  }
  const shown = new Set(['attributes', 'attributesTruncated', 'links', 'messaging', 'exceptions', 'traceId', 'spanId',
    'parentSpanId', 'name', 'service', 'kind', 'statusMessage', 'statusCode', 'startNanos', 'endNanos']);
  const rest = Object.entries(span).filter(([k]) => !shown.has(k));
  if (rest.length) {
    stored.appendChild(el('h4', null, 'Also stored'));
    stored.appendChild(factList(rest));
  }
  if (span.exceptions && span.exceptions.length) {
    stored.appendChild(el('h4', null, 'Exception events'));
    stored.appendChild(el('ul', {class: 'exceptions'}, span.exceptions.map(x => el('li', null,
        (x.type || 'exception') + (x.message ? ': ' + x.message : '') + (x.timeNanos ? ' at '
            + moment(Math.floor(x.timeNanos / 1e6)) : '')))));
  }
}

/** Shows a business step from its node-graph row. */
export function showStep(panel, row) {
  open(panel, 'Step ' + (row.title || row.id));
  const facts = [['title', row.title], ['subtitle', row.subtitle], ['main', row.mainstat], ['more', row.secondarystat],
    ['on the critical path', row.highlighted ? 'yes' : 'no']];
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('detail__')) {
      facts.push([key.substring('detail__'.length).replace(/_/g, ' '), value]);
    }
  }
  panel.appendChild(factList(facts));
}

function open(panel, title) {
  clear(panel);
  panel.hidden = false;
  const close = el('button', {type: 'button', class: 'close', 'aria-label': 'Close'}, '\u00D7');
  close.addEventListener('click', () => {
    panel.hidden = true;
  });
  panel.appendChild(el('div', {class: 'details-head'}, el('h3', {id: 'details-title'}, title), close));
}

function factList(pairs) {
  const list = el('dl', {class: 'facts'});
  for (const [key, value] of pairs) {
    if (value === null || value === undefined || value === '') {
      continue;
    }
    list.appendChild(el('dt', null, key));
    list.appendChild(el('dd', null, typeof value === 'object' && !(value instanceof Node) ? JSON.stringify(value)
        : value));
  }
  return list;
}
