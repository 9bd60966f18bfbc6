// The lists page (/ui/): open workflows, firing alerts, recent workflows by status.
import {ago, badge, clear, duration, el, getJson, moment, mountSearch, table, workflowLink} from './common.js';

const STATUSES = ['FAILED', 'INCOMPLETE', 'SUCCEEDED'];
mountSearch(document.getElementById('search'));
const params = new URLSearchParams(window.location.search);
const asked = parseInt(params.get('limit'), 10);
const LIMIT = asked >= 1 && asked <= 1000 ? asked : 20;
showOpen();
showAlerts(params.get('alert'));
showRecent(params.get('status'));

function content(sectionId) {
  return clear(document.querySelector('#' + sectionId + ' .content'));
}

/** When a list is cut at the limit, a link to a longer one. */
function more(box, count) {
  if (count >= LIMIT && LIMIT < 1000) {
    const longer = new URLSearchParams(window.location.search);
    longer.set('limit', String(Math.min(1000, LIMIT * 5)));
    box.appendChild(el('p', {class: 'hint'}, 'The first ' + count + ' are shown: ',
        el('a', {href: '/ui/?' + longer.toString()}, 'show more')));
  }
}

function failed(box, answer) {
  box.appendChild(el('div', {class: 'problem'}, answer.body.error || ('The server answered ' + answer.status + '.')));
}

async function showOpen() {
  const answer = await getJson('/api/workflows/open?limit=' + LIMIT);
  const box = content('open');
  if (!answer.ok) {
    failed(box, answer);
    return;
  }
  const workflows = answer.body.workflows || [];
  if (!workflows.length) {
    box.appendChild(el('p', {class: 'empty'}, 'No workflow is open: every stored workflow has been published.'));
    return;
  }
  box.appendChild(table(['workflow', 'first seen', 'spans', 'events', 'waiting for'], workflows.map(w => ({
    attrs: {class: 'open-workflow'},
    cells: [
      workflowLink(w.workflowId),
      el('span', {title: moment(w.firstSeenMs)}, ago(w.firstSeenMs)),
      String(w.spanCount),
      String(w.eventCount),
      pendingList(w.pendingBranches || []),
    ],
  })), {class: 'list', id: 'open-table'}));
  more(box, workflows.length);
}

function pendingList(branches) {
  if (!branches.length) {
    return el('span', {class: 'hint'}, 'nothing expected is missing; waiting for quiet');
  }
  return el('ul', {class: 'pending-list'}, branches.map(b => el('li', {class: 'pending-branch'},
      badge(b.state), ' ', b.consumer, ' · ', b.eventName || b.eventNodeId,
      b.deadlineMs ? el('span', {class: 'hint'}, ' · deadline ' + moment(b.deadlineMs)) : null)));
}

async function showAlerts(highlighted) {
  const answer = await getJson('/api/alerts?limit=' + LIMIT);
  const box = content('alerts');
  if (!answer.ok) {
    failed(box, answer);
    return;
  }
  const alerts = answer.body.alerts || [];
  if (!alerts.length) {
    box.appendChild(el('p', {class: 'empty'}, 'No alert is firing.'));
    return;
  }
  box.appendChild(table(['kind', 'what', 'count', 'first seen', 'last seen', 'sample workflows'], alerts.map(a => {
    const latest = a.latest || {};
    const isHighlighted = highlighted && highlighted === a.dedupKey;
    return {
      attrs: {class: 'alert' + (isHighlighted ? ' highlighted' : ''), 'data-dedup-key': a.dedupKey},
      cells: [
        badge(a.kind),
        el('div', null, el('div', null, latest.detail || a.dedupKey),
            el('div', {class: 'hint'}, a.dedupKey + (a.triggered ? '' : ' (trigger held back while catching up)'))),
        String(a.count),
        el('span', {title: moment(a.firstSeenMs)}, ago(a.firstSeenMs)),
        el('span', {title: moment(a.lastSeenMs)}, ago(a.lastSeenMs)),
        el('span', {class: 'samples'}, (a.samples || []).map(id => [workflowLink(id), ' '])),
      ],
    };
  }), {class: 'list', id: 'alerts-table'}));
  more(box, alerts.length);
  const row = document.querySelector('#alerts-table tr.highlighted');
  if (row) {
    row.scrollIntoView({block: 'center'});
  }
}

async function showRecent(status) {
  const wanted = STATUSES.includes(status) ? status : null;
  const filter = clear(document.getElementById('status-filter'));
  for (const choice of [null, ...STATUSES]) {
    const href = '/ui/?limit=' + LIMIT + (choice ? '&status=' + choice : '');
    filter.appendChild(el('a', {href, class: 'filter-choice' + (choice === wanted ? ' chosen' : '')},
        choice || 'any status'));
  }
  const answer = await getJson('/api/workflows/recent?limit=' + LIMIT + (wanted ? '&status=' + wanted : ''));
  const box = content('recent');
  if (!answer.ok) {
    failed(box, answer);
    return;
  }
  const workflows = answer.body.workflows || [];
  if (!workflows.length) {
    box.appendChild(el('p', {class: 'empty'}, wanted ? 'No recent workflow is ' + wanted + '.'
        : 'No workflow is stored yet.'));
    return;
  }
  box.appendChild(table(['workflow', 'status', 'duration', 'root', 'traces', 'branches', 'revision', 'last activity'],
      workflows.map(w => ({
        attrs: {class: 'recent-workflow', 'data-status': w.status},
        cells: [
          workflowLink(w.workflowId),
          badge(w.status),
          duration(w.durationMs),
          [w.rootService || '', ' ', el('span', {class: 'hint'}, w.rootName || '')],
          String(w.traceCount),
          String(w.branchCount),
          w.publishedRevision ? String(w.publishedRevision) : 'not yet published',
          el('span', {title: moment(w.lastActivityMs)}, ago(w.lastActivityMs)),
        ],
      })), {class: 'list', id: 'recent-table'}));
  more(box, workflows.length);
}
