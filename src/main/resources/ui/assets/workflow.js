// The workflow page (/ui/workflows/{id}): header, pending banner, findings and warnings, business steps,
// waterfall, branches, and the details of whatever is selected.
import {badge, clear, duration, el, findWorkflow, getJson, moment, mountSearch, problem, segment, table, workflowHref}
  from './common.js';
import {showNode, showStep} from './details.js';
import {renderSteps} from './stepgraph.js';
import {renderWaterfall} from './waterfall.js';

/** Graph fields this page shows in their own place; any other field is shown generically, so additions appear. */
const SHOWN_GRAPH_FIELDS = new Set(['workflowId', 'correlationId', 'traceIds', 'status', 'revision', 'publishReason',
  'publishedAtMs', 'startedAtMs', 'endedAtMs', 'durationMs', 'rootNodeId', 'rootService', 'rootName', 'nodes',
  'edges', 'branches', 'criticalPath', 'warnings', 'truncated', 'droppedSpans', 'duplicateSpans', 'mergedFrom']);
const SHOWN_WORKFLOW_FIELDS = new Set(['workflowId', 'kind', 'open', 'publishedRevision', 'firstSeenMs',
  'lastActivityMs', 'spanCount', 'eventCount', 'servedBy', 'graph', 'nodegraph']);

mountSearch(document.getElementById('search'));
main();

async function main() {
  const prefix = '/ui/workflows/';
  const asked = decodeURIComponent(window.location.pathname.substring(prefix.length));
  const base = '/api/workflows/' + segment(asked);
  // One request for the graph and its node-graph frames: the server assembles the workflow once.
  const [answer, alerts] = await Promise.all([getJson(base + '?nodegraph=true'), getJson('/api/alerts?limit=1000')]);
  document.body.dataset.fetchedMs = String(Math.round(performance.now()));
  const summary = clear(document.querySelector('#summary .content'));
  if (answer.status === 404) {
    // Not a workflow id: perhaps a correlation, trace or event id typed into the address.
    try {
      const found = await findWorkflow(asked);
      if (found !== asked) {
        window.location.replace(workflowHref(found));
        return;
      }
    } catch (e) {
      // Said below, with the API's own sentence.
    }
  }
  if (!answer.ok) {
    summary.appendChild(el('h1', null, asked));
    problem(answer.body.error || ('The server answered ' + answer.status + '.'));
    document.body.dataset.state = 'failed';
    return;
  }
  const workflow = answer.body;
  const frames = workflow.nodegraph;
  const graph = workflow.graph || {};
  document.title = 'tracestitch: ' + workflow.workflowId;
  const nodes = new Map((graph.nodes || []).map(n => [n.id, n]));
  const branchOfAttempt = new Map();
  (graph.branches || []).forEach(b => (b.attemptNodeIds || []).forEach(id => branchOfAttempt.set(id, b)));
  const panel = document.getElementById('details');

  let waterfall = null;
  const selectNode = nodeId => {
    const node = nodes.get(nodeId);
    if (!node) {
      return;
    }
    if (waterfall) {
      waterfall.select(nodeId);
    }
    showNode(panel, workflow.workflowId, node, branchOfAttempt.get(nodeId));
  };

  showSummary(summary, workflow, graph, asked, alerts);
  showPending(graph);
  showNotes(graph);
  if (frames) {
    renderSteps(document.getElementById('steps'), frames, row => {
      const nodeId = stepNode(row, graph);
      if (nodeId) {
        selectNode(nodeId);
      }
      if (!nodeId || row.detail__kind === 'consumer') {
        showStep(panel, row);
      }
    });
  } else {
    document.getElementById('steps').appendChild(el('p', {class: 'problem'}, 'The server sent no steps.'));
  }
  waterfall = renderWaterfall(document.getElementById('waterfall'), graph, selectNode);
  showBranches(graph, selectNode);
  document.body.dataset.builtMs = String(Math.round(performance.now()));
  // Two frames later the browser has laid out and painted what was built.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const ms = Math.round(performance.now());
    document.body.dataset.renderedMs = String(ms);
    document.body.dataset.state = 'rendered';
    document.getElementById('render-info').textContent = 'Shown ' + (graph.nodes || []).length + ' nodes in '
        + waterfall.rows.length + ' rows, ' + ms + ' ms after the page was asked for. Served by '
        + (workflow.servedBy || 'this instance') + '.';
  }));
}

/** The graph node a step stands for: an entry's root span, an event, a branch's first attempt. */
function stepNode(row, graph) {
  if (row.id.startsWith('entry:')) {
    return row.id.substring('entry:'.length);
  }
  if (row.id.startsWith('branch:')) {
    const b = (graph.branches || []).find(x => 'branch:' + x.eventNodeId + '|' + x.consumer === row.id);
    return b && b.attemptNodeIds && b.attemptNodeIds.length ? b.attemptNodeIds[b.attemptNodeIds.length - 1] : null;
  }
  return row.id;
}

function showSummary(box, workflow, graph, asked, alerts) {
  box.appendChild(el('h1', {id: 'workflow-id'}, workflow.workflowId));
  if (asked !== workflow.workflowId) {
    box.appendChild(el('p', {class: 'hint'}, 'You asked for ' + asked + ', which is part of this workflow.'));
  }
  const traces = graph.traceIds || [];
  const facts = [
    ['correlation id', graph.correlationId || 'none (a workflow of one trace)'],
    ['status', badge(graph.status)],
    ['duration', duration(graph.durationMs)],
    ['started', moment(graph.startedAtMs)],
    ['root', (graph.rootService || '') + ' ' + (graph.rootName || '')],
    ['traces', el('span', {id: 'trace-count'}, String(traces.length))],
    ['revision', graph.revision ? String(graph.revision) : 'not published yet'],
    ['publish reason', graph.publishReason + (workflow.open ? ' (open: assembled now, as a publication now would be)'
        : '')],
    ['truncation', graph.truncated ? 'truncated: ' + graph.droppedSpans + ' span(s) or event(s) left out'
        : 'complete, nothing left out'],
    ['spans, events', workflow.spanCount + ' spans, ' + workflow.eventCount + ' events'
        + (graph.duplicateSpans ? ', ' + graph.duplicateSpans + ' duplicate span(s) ignored' : '')],
    ['merged from', (graph.mergedFrom || []).length ? graph.mergedFrom.join(', ') : null],
  ];
  for (const [key, value] of Object.entries(graph)) {
    if (!SHOWN_GRAPH_FIELDS.has(key) && !Array.isArray(value)) {
      facts.push([key, value]);
    }
  }
  for (const [key, value] of Object.entries(workflow)) {
    if (!SHOWN_WORKFLOW_FIELDS.has(key) && !Array.isArray(value)) {
      facts.push([key, value]);
    }
  }
  const list = el('dl', {class: 'facts summary-facts'});
  for (const [key, value] of facts) {
    if (value === null || value === undefined || value === '') {
      continue;
    }
    list.appendChild(el('dt', null, key));
    list.appendChild(el('dd', {'data-field': key},
        typeof value === 'object' && !(value instanceof Node) ? JSON.stringify(value) : value));
  }
  box.appendChild(list);
  if (traces.length) {
    box.appendChild(el('details', {class: 'trace-list'}, el('summary', null, 'trace ids'),
        el('ul', null, traces.map(t => el('li', null, el('code', null, t))))));
  }
  box.appendChild(alertLinks(workflow, graph, alerts));
  box.appendChild(el('p', {class: 'hint'}, el('a', {href: '/api/workflows/' + segment(workflow.workflowId)},
      'this workflow as JSON'), ' \u00B7 ', el('a', {href: '/api/workflows/' + segment(workflow.workflowId)
      + '/nodegraph'}, 'as Grafana node-graph frames')));
}

/** The firing alerts this workflow is a sample of, or whose group one of its findings belongs to. */
function alertLinks(workflow, graph, alerts) {
  const box = el('div', {id: 'alert-links', class: 'alert-links'}, el('strong', null, 'Alerts: '));
  if (!alerts.ok) {
    box.appendChild(el('span', {class: 'hint'}, alerts.body.error || 'The alerts could not be read.'));
    return box;
  }
  const ids = new Set([workflow.workflowId, ...(graph.mergedFrom || [])]);
  const findings = graph.findings || [];
  const related = (alerts.body.alerts || []).filter(a => (a.samples || []).some(s => ids.has(s))
      || findings.some(f => a.latest && f.kind === a.latest.kind && (f.eventName || null) === (a.latest.eventName || null)
          && ((f.consumer && f.consumer === a.latest.consumer) || (!f.consumer && f.service === a.latest.service))));
  if (!related.length) {
    box.appendChild(el('span', {class: 'hint'}, findings.length
        ? 'none firing now for its findings' : 'none: this workflow raised no finding'));
    return box;
  }
  related.forEach((a, i) => {
    if (i) {
      box.appendChild(document.createTextNode(' \u00B7 '));
    }
    box.appendChild(el('a', {href: '/ui/?alert=' + encodeURIComponent(a.dedupKey), class: 'alert-link'},
        a.kind + ' ' + ((a.latest && (a.latest.consumer || a.latest.service)) || '') + ' (' + a.count + ')'));
  });
  return box;
}

function showPending(graph) {
  const waiting = (graph.branches || []).filter(b => b.state === 'PENDING' || b.state === 'RETRYING');
  const banner = document.getElementById('pending-banner');
  if (!waiting.length) {
    return;
  }
  banner.hidden = false;
  banner.className = 'banner pending';
  banner.appendChild(el('strong', null, waiting.length === 1 ? '1 branch is still pending: '
      : waiting.length + ' branches are still pending: '));
  waiting.forEach((b, i) => {
    banner.appendChild(el('span', {class: 'pending-item'}, (i ? '; ' : ''), b.consumer,
        b.state === 'RETRYING' ? ' is retrying ' : ' has not handled ', b.eventName || 'its event',
        b.deadlineMs ? ' (deadline ' + moment(b.deadlineMs) + ')' : ''));
  });
}

/** Findings, warnings, and any other list the graph carries (so fields added later show up). */
function showNotes(graph) {
  const section = document.getElementById('notes');
  const box = section.querySelector('.content');
  const lists = Object.entries(graph).filter(([k, v]) => Array.isArray(v) && v.length
      && (!SHOWN_GRAPH_FIELDS.has(k) || k === 'warnings'));
  if (!lists.length) {
    return;
  }
  section.hidden = false;
  for (const [key, items] of lists) {
    box.appendChild(el('h3', null, key));
    if (items.every(i => i !== null && typeof i === 'object' && !Array.isArray(i))) {
      const columns = [...new Set(items.flatMap(i => Object.keys(i)))];
      box.appendChild(table(columns, items.map(i => ({attrs: {class: 'note-row'},
        cells: columns.map(c => (i[c] === null || i[c] === undefined ? '' : typeof i[c] === 'object'
            ? JSON.stringify(i[c]) : String(i[c])))})), {class: 'list notes-' + key}));
    } else {
      box.appendChild(el('ul', {class: 'notes-' + key}, items.map(i => el('li', {
        class: key === 'warnings' ? 'warning' + (/clock skew/i.test(String(i)) ? ' skew-warning' : '') : null},
      typeof i === 'object' ? JSON.stringify(i) : String(i)))));
    }
  }
}

function showBranches(graph, selectNode) {
  const branches = graph.branches || [];
  document.getElementById('branches-title').textContent = branches.length === 1 ? '1 branch'
      : branches.length + ' branches';
  const box = document.getElementById('branches');
  if (!branches.length) {
    box.appendChild(el('p', {class: 'empty'}, 'No consumer handled or was expected to handle an event here.'));
    return;
  }
  box.appendChild(table(['event', 'consumer', 'state', 'attempts', 'queue wait', 'processing', 'downstream spans',
    'expected', 'deadline', 'last error'], branches.map(b => {
    const first = (b.attemptNodeIds || [])[0];
    const cell = first ? el('a', {href: '#', class: 'select-node', 'data-node-id': first}, b.consumer) : b.consumer;
    return {
      attrs: {class: 'branch', 'data-state': b.state, 'data-consumer': b.consumer, 'data-attempts': b.attempts},
      cells: [b.eventName || b.eventNodeId, cell, badge(b.state), String(b.attempts), duration(b.queueWaitMs),
        duration(b.processingMs), String(b.subtreeSpans || 0), b.expected ? 'yes' : 'no',
        b.deadlineMs ? moment(b.deadlineMs) : '', b.lastError || ''],
    };
  }), {class: 'list', id: 'branches-table'}));
  box.addEventListener('click', event => {
    const link = event.target.closest('a.select-node');
    if (link) {
      event.preventDefault();
      selectNode(link.dataset.nodeId);
    }
  });
}

