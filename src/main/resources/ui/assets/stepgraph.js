// The business steps of a workflow, drawn from the same node-graph frames Grafana gets
// (/api/workflows/{id}/nodegraph): where it entered, its events, and each consumer's branch, left to right in
// the order they follow one another. The critical path is highlighted; an expected consumer with no span yet is
// a dashed node with its deadline.
import {clear, el, svg} from './common.js';

const NODE_W = 214;
const NODE_H = 64;
const GAP_X = 70;
const GAP_Y = 16;
const PAD = 12;

/** Draws the frames into the container; onSelect(stepRow) is called when a step is clicked. */
export function renderSteps(container, frames, onSelect) {
  clear(container);
  const nodes = frames.nodes || [];
  const edges = (frames.edges || []).filter(e => nodes.some(n => n.id === e.source) && nodes.some(n => n.id === e.target));
  if (!nodes.length) {
    container.appendChild(el('p', {class: 'empty'}, 'This workflow has no steps to draw.'));
    return;
  }
  const layout = layers(nodes, edges);
  const columns = layout.columns;
  const tallest = Math.max(...columns.map(c => c.length));
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * GAP_X;
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y + 20;
  const canvas = svg('svg', {class: 'steps', id: 'steps-svg', width, height, viewBox: `0 0 ${width} ${height}`});
  const defs = svg('defs');
  const marker = svg('marker', {id: 'step-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 9,
    markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse'});
  marker.appendChild(svg('path', {d: 'M 0 0 L 10 5 L 0 10 z', class: 'step-arrowhead'}));
  defs.appendChild(marker);
  canvas.appendChild(defs);

  const at = new Map();
  columns.forEach((column, c) => {
    const top = PAD + (tallest - column.length) * (NODE_H + GAP_Y) / 2;
    column.forEach((node, r) => at.set(node.id, {x: PAD + c * (NODE_W + GAP_X), y: top + r * (NODE_H + GAP_Y)}));
  });

  const edgeLayer = svg('g', {class: 'step-edges'});
  for (const e of edges) {
    const a = at.get(e.source);
    const b = at.get(e.target);
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    const type = String(e.mainstat || e.detail__type || '');
    const g = svg('g', {class: 'step-edge type-' + type.toLowerCase().replace(/[^a-z_]/g, '')
        + (e.highlighted ? ' critical' : ''), 'data-source': e.source, 'data-target': e.target, 'data-type': type});
    const backwards = x2 <= x1;
    const d = backwards
        ? `M ${x1} ${y1} C ${x1 + 40} ${y1 + 60}, ${x2 - 40} ${y2 + 60}, ${x2} ${y2}`
        : `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
    g.appendChild(svg('path', {d, class: 'step-edge-line', 'marker-end': 'url(#step-arrow)',
      'stroke-dasharray': e.strokedasharray || null}));
    // A consumer's own node says how long it queued; only the other kinds of tie are named on the line.
    if (type !== 'CONSUMED_BY') {
      g.appendChild(svg('text', {x: x2 - 8, y: y2 - 5, class: 'step-edge-label', 'text-anchor': 'end'},
          type.toLowerCase().replace(/_/g, ' ')));
    }
    edgeLayer.appendChild(g);
  }
  canvas.appendChild(edgeLayer);

  const nodeLayer = svg('g', {class: 'step-nodes'});
  for (const n of nodes) {
    const p = at.get(n.id);
    const state = String(n.detail__state || '');
    const pending = state === 'PENDING';
    const g = svg('g', {class: 'step kind-' + String(n.detail__kind || 'step').replace(/[^a-z_]/g, '')
        + (n.highlighted ? ' critical' : '') + (pending ? ' pending' : '')
        + ' state-' + state.toLowerCase().replace(/[^a-z_]/g, ''),
    transform: `translate(${p.x} ${p.y})`, 'data-step-id': n.id, 'data-state': state, tabindex: 0});
    if (n.highlighted) {
      g.appendChild(svg('rect', {x: -4, y: -4, width: NODE_W + 8, height: NODE_H + 8, rx: 11, class: 'step-halo'}));
    }
    g.appendChild(svg('rect', {x: 0, y: 0, width: NODE_W, height: NODE_H, rx: 8, class: 'step-box',
      stroke: n.color || null, 'stroke-dasharray': pending ? '6 4' : null}));
    g.appendChild(svg('rect', {x: 0, y: 0, width: 6, height: NODE_H, rx: 3, class: 'step-stripe', fill: n.color || null}));
    g.appendChild(svg('text', {x: 14, y: 17, class: 'step-title'}, fit(n.title, 24)));
    g.appendChild(svg('text', {x: 14, y: 32, class: 'step-subtitle'}, fit(n.subtitle, 30)));
    g.appendChild(svg('text', {x: 14, y: 46, class: 'step-main'}, fit(n.mainstat, 30)));
    g.appendChild(svg('text', {x: 14, y: 59, class: pending ? 'step-deadline' : 'step-secondary'},
        fit(n.secondarystat, 38)));
    g.appendChild(svg('title', null, [n.title, n.subtitle, n.mainstat, n.secondarystat, n.detail__error]
        .filter(Boolean).join('\n')));
    g.addEventListener('click', () => onSelect(n));
    g.addEventListener('keydown', ev => {
      if (ev.key === 'Enter') {
        onSelect(n);
      }
    });
    nodeLayer.appendChild(g);
  }
  canvas.appendChild(nodeLayer);
  container.appendChild(el('div', {class: 'steps-scroll'}, canvas));
}

/** Columns by longest path from the sources; within a column, near the steps they come from. */
function layers(nodes, edges) {
  const incoming = new Map(nodes.map(n => [n.id, []]));
  const outgoing = new Map(nodes.map(n => [n.id, []]));
  for (const e of edges) {
    outgoing.get(e.source).push(e.target);
    incoming.get(e.target).push(e.source);
  }
  const level = new Map();
  const indegree = new Map(nodes.map(n => [n.id, incoming.get(n.id).length]));
  const queue = nodes.filter(n => indegree.get(n.id) === 0).map(n => n.id);
  queue.forEach(id => level.set(id, 0));
  while (queue.length) {
    const id = queue.shift();
    for (const next of outgoing.get(id)) {
      level.set(next, Math.max(level.get(next) || 0, level.get(id) + 1));
      indegree.set(next, indegree.get(next) - 1);
      if (indegree.get(next) === 0) {
        queue.push(next);
      }
    }
  }
  for (const n of nodes) {
    if (!level.has(n.id)) {
      level.set(n.id, 0); // Part of a cycle (not expected from a workflow): drawn in the first column.
    }
  }
  const count = Math.max(...level.values()) + 1;
  const columns = Array.from({length: count}, () => []);
  nodes.forEach(n => columns[level.get(n.id)].push(n));
  const position = new Map();
  columns.forEach((column, c) => {
    if (c > 0) {
      const weight = n => {
        const from = incoming.get(n.id).filter(id => position.has(id));
        return from.length ? from.reduce((s, id) => s + position.get(id), 0) / from.length : 0;
      };
      column.sort((a, b) => weight(a) - weight(b) || String(a.title).localeCompare(String(b.title)));
    }
    column.forEach((n, i) => position.set(n.id, i));
  });
  return {columns};
}

function fit(text, chars) {
  const value = text === null || text === undefined ? '' : String(text);
  return value.length > chars ? value.substring(0, chars - 1) + '\u2026' : value;
}
