// The HTTP client: JSON calls with the CSRF token, errors as ApiError, SSE over fetch.

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// The CSRF token lives in memory only: the session cookie itself is HttpOnly.
let csrfToken = null;
const listeners = new Set();

export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** Call fn(error) whenever the server says the session is gone (401). */
export function onUnauthorized(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export class ApiError extends Error {
  constructor(status, body) {
    const message = (body && (body.message || body.detail)) || `HTTP ${status}`;
    super(typeof message === 'string' ? message : JSON.stringify(message));
    this.status = status;
    this.code = (body && body.error) || null;
    this.hint = (body && body.hint) || null;
    this.details = (body && body.details) || null;
  }
}

function headersFor(method, extra) {
  const headers = new Headers(extra || {});
  if (UNSAFE.has(method) && csrfToken) headers.set('X-CSRF-Token', csrfToken);
  return headers;
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const error = new ApiError(response.status, body);
  if (response.status === 401) for (const fn of listeners) fn(error);
  return error;
}

/**
 * Send a request and return the parsed JSON (null for 204).
 * options: {method, json, form (FormData), query, headers, signal}
 */
export async function request(path, options = {}) {
  const method = (options.method || (options.json || options.form ? 'POST' : 'GET')).toUpperCase();
  const headers = headersFor(method, options.headers);
  let body;
  if (options.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  const response = await fetch(withQuery(path, options.query), {
    method, headers, body, credentials: 'same-origin', signal: options.signal,
  });
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export const get = (path, query) => request(path, {query});
export const post = (path, json) => request(path, {method: 'POST', json: json ?? {}});

/**
 * A parser of the text/event-stream format (WHATWG HTML, "server-sent events"):
 * feed it decoded text chunks, it returns the complete events found so far.
 */
export class SseParser {
  constructor() {
    this.buffer = '';
    this.event = '';
    this.data = [];
  }

  feed(chunk) {
    this.buffer += chunk;
    const events = [];
    // A chunk may end between \r and \n: keep a trailing \r until the next chunk.
    const hold = this.buffer.endsWith('\r');
    const text = hold ? this.buffer.slice(0, -1) : this.buffer;
    const lines = text.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() + (hold ? '\r' : '');
    for (const line of lines) this.line(line, events);
    return events;
  }

  /** Return the last event when the stream ends without a blank line. */
  end() {
    const events = [];
    if (this.buffer) this.line(this.buffer.replace(/\r$/, ''), events);
    this.buffer = '';
    this.line('', events);
    return events;
  }

  line(line, events) {
    if (line === '') {
      if (this.data.length) {
        const raw = this.data.join('\n');
        let data = raw;
        try {
          data = JSON.parse(raw);
        } catch {
          data = raw;
        }
        events.push({event: this.event || 'message', data});
      }
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') this.event = value;
    else if (name === 'data') this.data.push(value);
  }
}

/**
 * POST a JSON body and read the Server-Sent Events answer (EventSource cannot POST).
 * Calls onEvent({event, data}) for each event; resolves when the stream ends.
 */
export async function stream(path, json, onEvent, signal) {
  const headers = headersFor('POST', {'Content-Type': 'application/json', Accept: 'text/event-stream'});
  const response = await fetch(path, {
    method: 'POST', headers, body: JSON.stringify(json), credentials: 'same-origin', signal,
  });
  if (!response.ok) throw await errorFrom(response);
  const type = response.headers.get('Content-Type') || '';
  if (!type.includes('text/event-stream')) {
    // A server that answers JSON anyway: present it as one finished message.
    const message = await response.json();
    if (message.content) onEvent({event: 'token', data: {text: message.content}});
    onEvent({event: 'done', data: {message_id: message.id, tool: message.tool,
      lang: message.lang, citations: message.citations || []}});
    return;
  }
  const parser = new SseParser();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    for (const event of parser.feed(value)) onEvent(event);
  }
  for (const event of parser.end()) onEvent(event);
}
