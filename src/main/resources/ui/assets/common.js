// Shared by the pages of the web view. Everything shown comes from services and the network, so it only
// ever enters the page as text: elements are built here and filled with textContent, never parsed as markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

// A failure in a page's own script is said on the page, not only in the browser's console.
window.addEventListener('error', event => problem('The page failed: ' + event.message));
window.addEventListener('unhandledrejection', event => problem('The page failed: '
    + (event.reason && event.reason.message ? event.reason.message : String(event.reason))));

/**
 * An HTML element. attrs: plain attributes (class, id, href, title, hidden...); children: strings (become
 * text nodes), nodes, or null (skipped).
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An SVG element with attributes; text, when given, as its text content. */
export function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attrs);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  return node;
}

function setAttributes(node, attrs) {
  if (!attrs) {
    return;
  }
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (/^on/i.test(name) || name === 'style') {
      throw new Error('Handlers and inline styles are not set as attributes: ' + name);
    }
    node.setAttribute(name, value === true ? '' : String(value));
  }
}

/** Empties a node. */
export function clear(node) {
  while (node.firstChild) {
    node.removeChild(node.firstChild);
  }
  return node;
}

/** GET a path of this server's API: {ok, status, body}; body is the parsed JSON, or {error} for a failure. */
export async function getJson(path) {
  let response;
  try {
    response = await fetch(path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  } catch (e) {
    return {ok: false, status: 0, body: {error: 'This server could not be reached (' + e.message + ').'}};
  }
  let body;
  try {
    body = await response.json();
  } catch (e) {
    body = {error: 'The server answered ' + response.status + ' with something that is not JSON.'};
  }
  return {ok: response.ok, status: response.status, body};
}

/** One path segment, percent-encoded (an id may contain '/', spaces, anything). */
export function segment(value) {
  return encodeURIComponent(value);
}

export function workflowHref(workflowId) {
  return '/ui/workflows/' + segment(workflowId);
}

export function workflowLink(workflowId, text) {
  return el('a', {href: workflowHref(workflowId), class: 'workflow-link'}, text === undefined ? workflowId : text);
}

/** 74 ms, 1.14 s, 2 min 5 s. */
export function duration(ms) {
  if (ms === null || ms === undefined) {
    return '';
  }
  if (ms < 1000) {
    return Math.round(ms) + ' ms';
  }
  if (ms < 60000) {
    return (ms / 1000).toFixed(2) + ' s';
  }
  return Math.floor(ms / 60000) + ' min ' + Math.floor((ms % 60000) / 1000) + ' s';
}

/** A moment as UTC date and time to the millisecond. */
export function moment(ms) {
  if (ms === null || ms === undefined) {
    return '';
  }
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** A time of day to the millisecond (UTC), for places short of room. */
export function clock(ms) {
  if (ms === null || ms === undefined) {
    return '';
  }
  return new Date(ms).toISOString().substring(11, 23);
}

/** How long ago a moment was, from now. */
export function ago(ms) {
  if (!ms) {
    return '';
  }
  const diff = Date.now() - ms;
  return diff >= 0 ? duration(diff) + ' ago' : 'in ' + duration(-diff);
}

/** A badge for a status or state: the text, and a class the style sheet colours. */
export function badge(text) {
  const value = text === null || text === undefined ? 'UNKNOWN' : String(text);
  return el('span', {class: 'badge state-' + value.toLowerCase().replace(/[^a-z_]/g, '')}, value);
}

/** A table: headers, and rows of cells (strings or nodes). Each row may carry attributes via row.attrs. */
export function table(headers, rows, attrs) {
  return el('table', attrs || {},
      el('thead', null, el('tr', null, headers.map(h => el('th', null, h)))),
      el('tbody', null, rows.map(r => el('tr', r.attrs || null, r.cells.map(c => el('td', null, c))))));
}

/** Shows a problem (an API error sentence) at the top of the page. */
export function problem(text) {
  const box = document.getElementById('problems');
  if (box) {
    box.appendChild(el('div', {class: 'problem'}, text));
  }
}

/**
 * Finds the workflow a search names: a trace id (32 hex digits), a workflow or correlation id, or an event id,
 * through the API (which asks whichever instance holds it). Resolves to the workflow id or rejects with a sentence.
 */
export async function findWorkflow(query) {
  const q = query.trim();
  if (!q) {
    throw new Error('Type a workflow id, a correlation id, a trace id or an event id.');
  }
  const failures = [];
  const attempts = [];
  if (/^[0-9a-fA-F]{32}$/.test(q)) {
    attempts.push(['/api/traces/' + q, b => b.workflowId]);
  }
  attempts.push(['/api/workflows?correlationId=' + encodeURIComponent(q),
    b => (b.workflows && b.workflows.length ? b.workflows[0].workflowId : null)]);
  attempts.push(['/api/workflows/' + segment(q), b => b.workflowId]);
  attempts.push(['/api/events/' + segment(q), b => b.workflowId]);
  for (const [path, pick] of attempts) {
    const answer = await getJson(path);
    if (answer.ok && pick(answer.body)) {
      return pick(answer.body);
    }
    if (!answer.ok && answer.status !== 404 && answer.status !== 400) {
      failures.push(answer.body.error || ('The server answered ' + answer.status + '.'));
    }
  }
  throw new Error(failures.length ? failures[0]
      : 'No stored workflow, correlation id, trace or event is known as "' + q + '".');
}

/** The search box of every page. */
export function mountSearch(container) {
  const input = el('input', {type: 'search', id: 'search-input', name: 'q', autocomplete: 'off',
    placeholder: 'workflow, correlation, trace or event id', 'aria-label': 'Search'});
  const message = el('span', {class: 'search-message', id: 'search-message'});
  const form = el('form', {id: 'search-form', role: 'search'}, input, el('button', {type: 'submit'}, 'Show'), message);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    message.textContent = 'Looking…';
    try {
      const id = await findWorkflow(input.value);
      window.location.assign(workflowHref(id));
    } catch (e) {
      message.textContent = e.message;
    }
  });
  clear(container).appendChild(form);
}
