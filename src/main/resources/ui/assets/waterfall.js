// The waterfall of one workflow: rows grouped by trace, spans nested under their parents, events under the
// span that published them, the attempts of one branch stacked together, the time an event waited in its topic
// before each consumer's first attempt drawn as its own (striped) segment, expected consumers with no span as
// dashed rows, and arrows for span links and correlation-only joins across traces.
//
// Drawn as SVG by hand. Only the rows in view (plus a margin) are in the DOM, so a workflow of 10,000 spans
// costs what a screenful costs; a small workflow is drawn whole.
import {clear, clock, duration, el, svg} from './common.js';

const ROW_H = 22;
const LABEL_W = 340;
const RIGHT_PAD = 90;
const DRAW_ALL_BELOW = 600;
const MARGIN_ROWS = 60;
const MAX_INDENT_LEVELS = 24;

/**
 * Draws the waterfall into the container. onSelect(nodeId) is called when a row is clicked.
 * Returns {rows, select(nodeId)}.
 */
export function renderWaterfall(container, graph, onSelect) {
  const model = buildRows(graph);
  clear(container);
  container.dataset.rows = String(model.rows.length);
  const width = Math.max(720, container.clientWidth || 1000);
  const scale = timeScale(model, width);

  const axis = svg('svg', {class: 'waterfall-axis', width, height: 24});
  drawAxis(axis, scale);
  const scroller = el('div', {class: 'waterfall-scroll', id: 'waterfall-scroll'});
  const spacer = el('div', {class: 'waterfall-spacer'});
  spacer.style.height = (model.rows.length * ROW_H) + 'px';
  const canvas = svg('svg', {class: 'waterfall-rows', id: 'waterfall-svg', width});
  spacer.appendChild(canvas);
  scroller.appendChild(spacer);
  container.appendChild(axis);
  container.appendChild(scroller);
  const visibleRows = Math.min(model.rows.length, 32);
  scroller.style.height = Math.max(visibleRows * ROW_H + 4, 120) + 'px';
  if (model.rows.length <= DRAW_ALL_BELOW) {
    scroller.style.height = (model.rows.length * ROW_H + 4) + 'px';
  }

  const state = {selected: null, drawn: null};
  const draw = () => {
    let first = 0;
    let last = model.rows.length;
    if (model.rows.length > DRAW_ALL_BELOW) {
      first = Math.max(0, Math.floor(scroller.scrollTop / ROW_H) - MARGIN_ROWS);
      last = Math.min(model.rows.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW_H) + MARGIN_ROWS);
    }
    if (state.drawn && state.drawn[0] === first && state.drawn[1] === last && !state.dirty) {
      return;
    }
    state.drawn = [first, last];
    state.dirty = false;
    drawRows(canvas, model, scale, width, first, last, state.selected);
  };
  let pending = false;
  scroller.addEventListener('scroll', () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        draw();
      });
    }
  });
  canvas.addEventListener('click', event => {
    const row = event.target.closest('g.row');
    if (row && row.dataset.nodeId) {
      onSelect(row.dataset.nodeId);
    }
  });
  draw();
  return {
    rows: model.rows,
    select(nodeId) {
      state.selected = nodeId;
      state.dirty = true;
      const index = model.rows.findIndex(r => r.node && r.node.id === nodeId);
      if (index >= 0 && model.rows.length > DRAW_ALL_BELOW) {
        const top = index * ROW_H;
        if (top < scroller.scrollTop || top > scroller.scrollTop + scroller.clientHeight - ROW_H) {
          scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 2);
        }
      }
      draw();
    },
  };
}

/** The rows, in order, and what the drawing needs to know about them. */
function buildRows(graph) {
  const nodes = new Map();
  (graph.nodes || []).forEach(n => nodes.set(n.id, n));
  const parentOf = new Map();
  const children = new Map();
  const addChild = (parent, child) => {
    if (!children.has(parent)) {
      children.set(parent, []);
    }
    children.get(parent).push(child);
  };
  for (const e of graph.edges || []) {
    if (e.type === 'CHILD_OF' && nodes.has(e.from) && nodes.has(e.to) && !parentOf.has(e.from)) {
      parentOf.set(e.from, e.to);
      addChild(e.to, e.from);
    }
  }
  for (const e of graph.edges || []) {
    // An event sits under the span that published it, when that span is in the same trace.
    if (e.type === 'PUBLISHED' && nodes.has(e.from) && nodes.has(e.to) && !parentOf.has(e.to)
        && nodes.get(e.from).traceId === nodes.get(e.to).traceId) {
      parentOf.set(e.to, e.from);
      addChild(e.from, e.to);
    }
  }
  const attemptOf = new Map();
  const pendingByEvent = new Map();
  for (const b of graph.branches || []) {
    (b.attemptNodeIds || []).forEach((id, i) => attemptOf.set(id, {branch: b, index: i}));
    if (!(b.attemptNodeIds || []).length) {
      if (!pendingByEvent.has(b.eventNodeId)) {
        pendingByEvent.set(b.eventNodeId, []);
      }
      pendingByEvent.get(b.eventNodeId).push(b);
    }
  }
  const critical = new Set(graph.criticalPath || []);
  const start = n => (n.startMs === null || n.startMs === undefined ? Infinity : n.startMs);
  const startOf = new Map();
  nodes.forEach((n, id) => startOf.set(id, start(n)));
  const byStart = (a, b) => startOf.get(a) - startOf.get(b) || (a < b ? -1 : a > b ? 1 : 0);

  // Traces: the root's first, then by their first moment.
  const traces = new Map();
  for (const n of nodes.values()) {
    const key = n.traceId || '';
    if (!traces.has(key)) {
      traces.set(key, {traceId: n.traceId, tops: [], count: 0, first: Infinity});
    }
    const t = traces.get(key);
    t.count++;
    t.first = Math.min(t.first, start(n));
    if (!parentOf.has(n.id)) {
      t.tops.push(n.id);
    }
  }
  const rootTrace = graph.rootNodeId && nodes.has(graph.rootNodeId) ? (nodes.get(graph.rootNodeId).traceId || '') : null;
  const traceOrder = [...traces.entries()].sort((a, b) => (a[0] === rootTrace ? -1 : b[0] === rootTrace ? 1 : 0)
      || a[1].first - b[1].first);

  const rows = [];
  const placedPending = new Set();
  const emitPending = (eventId, depth) => {
    for (const b of pendingByEvent.get(eventId) || []) {
      rows.push({kind: 'pending', depth, branch: b, event: nodes.get(eventId)});
      placedPending.add(b);
    }
  };
  for (const [, trace] of traceOrder) {
    rows.push({kind: 'trace', depth: 0, traceId: trace.traceId, count: trace.count});
    // Depth-first without recursion: a chain of thousands of spans must not exhaust the stack.
    const stack = orderSiblings(trace.tops.sort(byStart), attemptOf).reverse().map(id => ({id, depth: 1}));
    while (stack.length) {
      const item = stack.pop();
      if (item.header) {
        rows.push({kind: 'branch', depth: item.depth, branch: item.header});
        continue;
      }
      const node = nodes.get(item.id);
      const attempt = attemptOf.get(item.id);
      rows.push({
        kind: node.kind === 'EVENT' ? 'event' : 'span', depth: item.depth, node, attempt,
        critical: critical.has(node.id),
        queueFrom: attempt && attempt.index === 0 && nodes.has(attempt.branch.eventNodeId)
            ? nodes.get(attempt.branch.eventNodeId) : null,
      });
      if (node.kind === 'EVENT') {
        emitPending(node.id, item.depth + 1);
      }
      const kids = orderSiblings((children.get(item.id) || []).slice().sort(byStart), attemptOf);
      const pushed = [];
      let group = null;
      for (const kid of kids) {
        const a = attemptOf.get(kid);
        // Two or more attempts of one branch side by side: a header row, and the attempts one level in.
        if (a && a.branch.attempts > 1 && group !== a.branch) {
          const together = kids.filter(k => attemptOf.get(k) && attemptOf.get(k).branch === a.branch).length;
          if (together > 1) {
            group = a.branch;
            pushed.push({header: a.branch, depth: item.depth + 1});
          }
        }
        const inGroup = a && group === a.branch;
        pushed.push({id: kid, depth: item.depth + 1 + (inGroup ? 1 : 0)});
      }
      for (let i = pushed.length - 1; i >= 0; i--) {
        stack.push(pushed[i]);
      }
    }
  }
  for (const list of pendingByEvent.values()) {
    for (const b of list) {
      if (!placedPending.has(b)) {
        rows.push({kind: 'pending', depth: 1, branch: b, event: null});
      }
    }
  }
  const rowOf = new Map();
  rows.forEach((r, i) => {
    if (r.node) {
      rowOf.set(r.node.id, i);
    }
  });
  const arrows = [];
  for (const e of graph.edges || []) {
    const from = nodes.get(e.from);
    const to = nodes.get(e.to);
    if (!from || !to || !rowOf.has(e.from) || !rowOf.has(e.to)) {
      continue;
    }
    const acrossTraces = (from.traceId || '') !== (to.traceId || '');
    // Within one trace the nesting already shows the cause; an arrow is drawn where the rows cannot show it.
    if (e.type === 'LINK' && acrossTraces) {
      arrows.push({from: to, to: from, type: 'link'}); // A span links back to its cause; the arrow shows cause to effect.
    } else if (e.type === 'CORRELATED') {
      arrows.push({from, to, type: 'correlated'});
    } else if ((e.type === 'CONSUMED_BY' || e.type === 'PUBLISHED') && acrossTraces) {
      arrows.push({from, to, type: 'consumed'});
    }
  }
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const n of nodes.values()) {
    if (n.startMs !== null && n.startMs !== undefined) {
      t0 = Math.min(t0, n.startMs);
      t1 = Math.max(t1, n.endMs === null || n.endMs === undefined ? n.startMs : n.endMs);
    }
  }
  if (!isFinite(t0)) {
    t0 = 0;
    t1 = 1;
  }
  return {rows, arrows, rowOf, t0, t1: Math.max(t1, t0 + 1)};
}

/** Siblings in start order, except that the attempts of one branch follow each other, first attempt first. */
function orderSiblings(ids, attemptOf) {
  const out = [];
  const done = new Set();
  for (const id of ids) {
    if (done.has(id)) {
      continue;
    }
    const a = attemptOf.get(id);
    if (a) {
      const same = ids.filter(k => attemptOf.get(k) && attemptOf.get(k).branch === a.branch)
          .sort((x, y) => attemptOf.get(x).index - attemptOf.get(y).index);
      same.forEach(k => {
        out.push(k);
        done.add(k);
      });
    } else {
      out.push(id);
      done.add(id);
    }
  }
  return out;
}

function timeScale(model, width) {
  const span = model.t1 - model.t0;
  const plot = width - LABEL_W - RIGHT_PAD;
  return {
    t0: model.t0,
    t1: model.t1,
    x: ms => LABEL_W + Math.max(0, Math.min(1, (ms - model.t0) / span)) * plot,
    right: LABEL_W + plot,
  };
}

function drawAxis(axis, scale) {
  axis.appendChild(svg('text', {x: 8, y: 16, class: 'axis-label'}, '0 = ' + clock(scale.t0) + ' UTC'));
  const total = scale.t1 - scale.t0;
  const step = niceStep(total / 8);
  for (let t = 0; t <= total + 0.0001; t += step) {
    const x = scale.x(scale.t0 + t);
    axis.appendChild(svg('line', {x1: x, x2: x, y1: 18, y2: 24, class: 'tick'}));
    axis.appendChild(svg('text', {x, y: 14, class: 'tick-label', 'text-anchor': 'middle'}, duration(t)));
  }
}

function niceStep(raw) {
  const base = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 0.001))));
  for (const m of [1, 2, 5, 10]) {
    if (base * m >= raw) {
      return base * m;
    }
  }
  return base * 10;
}

function drawRows(canvas, model, scale, width, first, last, selected) {
  clear(canvas);
  const height = model.rows.length * ROW_H;
  canvas.setAttribute('height', String(Math.max(0, (last - first) * ROW_H)));
  canvas.style.top = (first * ROW_H) + 'px';
  canvas.dataset.firstRow = String(first);
  canvas.dataset.lastRow = String(last);
  const defs = svg('defs');
  const marker = svg('marker', {id: 'arrowhead', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse'});
  marker.appendChild(svg('path', {d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead'}));
  defs.appendChild(marker);
  const stripes = svg('pattern', {id: 'queue-stripes', width: 6, height: 6, patternUnits: 'userSpaceOnUse',
    patternTransform: 'rotate(45)'});
  stripes.appendChild(svg('rect', {width: 6, height: 6, class: 'queue-stripe-back'}));
  stripes.appendChild(svg('line', {x1: 0, y1: 0, x2: 0, y2: 6, class: 'queue-stripe'}));
  defs.appendChild(stripes);
  const clip = svg('clipPath', {id: 'label-clip'});
  clip.appendChild(svg('rect', {x: 0, y: -100000, width: LABEL_W - 8, height: 200000 + height}));
  defs.appendChild(clip);
  canvas.appendChild(defs);

  const offset = first * ROW_H;
  const frag = document.createDocumentFragment();
  for (let i = first; i < last; i++) {
    frag.appendChild(drawRow(model.rows[i], i, i * ROW_H - offset, scale, width, selected));
  }
  canvas.appendChild(frag);
  const arrowLayer = svg('g', {class: 'arrows'});
  for (const a of model.arrows) {
    const i = model.rowOf.get(a.from.id);
    const j = model.rowOf.get(a.to.id);
    if ((i < first || i >= last) && (j < first || j >= last)) {
      continue;
    }
    const y1 = i * ROW_H - offset + ROW_H / 2;
    const y2 = j * ROW_H - offset + ROW_H / 2;
    const fromEnd = a.from.kind === 'EVENT' ? a.from.startMs : Math.min(a.from.endMs ?? a.from.startMs, a.to.startMs);
    const x1 = scale.x(fromEnd);
    const x2 = scale.x(a.to.startMs);
    const bend = Math.max(24, Math.abs(y2 - y1) / 3);
    const path = svg('path', {d: `M ${x1} ${y1} C ${x1 - bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
      class: 'arrow ' + a.type, 'marker-end': 'url(#arrowhead)', 'data-from': a.from.id, 'data-to': a.to.id});
    path.appendChild(svg('title', null, a.type === 'correlated'
        ? 'joined only by the correlation id (the trace context was not propagated)'
        : a.type === 'link' ? 'span link' : 'handled in another trace'));
    arrowLayer.appendChild(path);
  }
  canvas.appendChild(arrowLayer);
}

function drawRow(row, index, y, scale, width, selected) {
  const g = svg('g', {class: 'row row-' + row.kind + (row.node && row.node.id === selected ? ' selected' : ''),
    transform: `translate(0 ${y})`, 'data-index': index, 'data-node-id': row.node ? row.node.id : null});
  g.appendChild(svg('rect', {x: 0, y: 0, width, height: ROW_H, class: 'row-back' + (index % 2 ? ' odd' : '')}));
  const indent = 8 + Math.min(row.depth, MAX_INDENT_LEVELS) * 12;
  const label = svg('text', {x: indent, y: 15, class: 'row-label', 'clip-path': 'url(#label-clip)'});
  g.appendChild(label);
  switch (row.kind) {
    case 'trace': {
      g.setAttribute('data-trace-id', row.traceId || '');
      label.appendChild(svg('tspan', {class: 'trace-title'}, row.traceId ? 'trace ' + row.traceId : 'no trace'));
      label.appendChild(svg('tspan', {class: 'dim', dx: 8}, row.count + (row.count === 1 ? ' node' : ' nodes')));
      break;
    }
    case 'branch': {
      const b = row.branch;
      label.appendChild(svg('tspan', {class: 'branch-title'}, b.consumer + ' handles ' + (b.eventName || 'an event')));
      label.appendChild(svg('tspan', {class: 'dim', dx: 6}, b.attempts + ' attempts, ' + b.state));
      g.setAttribute('data-attempts', String(b.attempts));
      break;
    }
    case 'pending': {
      const b = row.branch;
      g.setAttribute('data-consumer', b.consumer);
      label.appendChild(svg('tspan', {class: 'service'}, b.consumer));
      label.appendChild(svg('tspan', {class: 'dim', dx: 6}, 'expected, no span yet'));
      const from = row.event && row.event.startMs !== null ? row.event.startMs : scale.t0;
      const x1 = scale.x(from);
      const due = b.deadlineMs;
      const x2 = due ? Math.min(scale.right, scale.x(due)) : scale.right;
      g.appendChild(svg('rect', {x: x1, y: 5, width: Math.max(4, x2 - x1), height: ROW_H - 10, class: 'pending-bar'}));
      g.appendChild(svg('text', {x: Math.min(x2 + 4, width - RIGHT_PAD + 4), y: 15, class: 'bar-label'},
          due ? 'deadline ' + clock(due) : 'pending'));
      break;
    }
    case 'event': {
      const n = row.node;
      label.appendChild(svg('tspan', {class: 'event-title'}, '\u25C6 ' + (n.name || n.eventId || 'event')));
      label.appendChild(svg('tspan', {class: 'dim', dx: 6}, n.topic ? 'on ' + n.topic : 'event'));
      const x = scale.x(n.startMs);
      g.appendChild(svg('path', {d: `M ${x} 5 L ${x + 6} 11 L ${x} 17 L ${x - 6} 11 z`,
        class: 'event-marker' + (row.critical ? ' critical' : '')}));
      g.appendChild(svg('text', {x: x + 10, y: 15, class: 'bar-label'}, 'published ' + clock(n.startMs)));
      break;
    }
    default: {
      const n = row.node;
      const failed = n.status === 'ERROR';
      if (failed) {
        label.appendChild(svg('tspan', {class: 'error-mark'}, '\u2716 '));
      }
      if (row.attempt && row.attempt.branch.attempts > 1) {
        label.appendChild(svg('tspan', {class: 'attempt'}, 'attempt ' + (row.attempt.index + 1) + ' '));
      }
      label.appendChild(svg('tspan', {class: 'service'}, n.service || 'unknown service'));
      label.appendChild(svg('tspan', {class: 'span-name', dx: 6}, n.name || ''));
      if (row.queueFrom && row.queueFrom.startMs !== null && n.startMs !== null) {
        const qx1 = scale.x(row.queueFrom.startMs);
        const qx2 = scale.x(n.startMs);
        const wait = row.attempt.branch.queueWaitMs;
        const q = svg('rect', {x: Math.min(qx1, qx2), y: 6, width: Math.max(2, Math.abs(qx2 - qx1)),
          height: ROW_H - 12, class: 'queue-wait', fill: 'url(#queue-stripes)', 'data-queue-wait-ms': wait});
        q.appendChild(svg('title', null, 'waited ' + duration(wait) + ' in ' + (row.queueFrom.topic || 'the topic')
            + ' before ' + (n.consumer || n.service) + ' started'));
        g.appendChild(q);
      }
      const x1 = scale.x(n.startMs);
      const x2 = scale.x(n.endMs ?? n.startMs);
      const bar = svg('rect', {x: x1, y: 4, width: Math.max(2, x2 - x1), height: ROW_H - 8, rx: 2,
        class: 'bar' + (failed ? ' error' : '') + (row.critical ? ' critical' : '')
            + (n.spanKind ? ' kind-' + n.spanKind.toLowerCase().replace(/[^a-z_]/g, '') : '')});
      bar.appendChild(svg('title', null, (n.service || '') + ' ' + (n.name || '') + ': ' + duration(n.durationMs)
          + (failed && n.exceptions && n.exceptions.length ? ' \u2014 ' + n.exceptions[n.exceptions.length - 1] : '')));
      g.appendChild(bar);
      g.appendChild(svg('text', {x: Math.min(x2 + 4, width - RIGHT_PAD + 4), y: 15, class: 'bar-label'},
          duration(n.durationMs)));
    }
  }
  return g;
}
