// The assistant: conversations, streamed answers (SSE over fetch) and clickable citations.

import {h, replace, field} from '../dom.js';
import * as api from '../api.js';
import {t, lang, fmtDateTime} from '../i18n.js';
import {citationChip, errorBox, loading, openSource} from '../ui.js';

// Kept across re-renders (language switch, navigation back to the view).
const state = {sessionId: null, sessions: null, messages: [], streaming: null};

/**
 * Show an answer's text with its "[n]" markers as buttons opening the n-th citation.
 * The text stays text: only the markers become controls.
 */
export function withMarkers(container, text, citations) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(/\[(\d{1,3})\]/g)) {
    const n = Number(match[1]);
    const citation = citations[n - 1];
    if (!citation) continue;
    parts.push(text.slice(last, match.index));
    parts.push(h('button', {
      type: 'button', class: ['cite', 'cite-num', citation.kind === 'note' ? 'cite-untrusted' : null],
      title: citation.label, 'aria-label': t('source.open', {label: citation.label || citation.id}),
      dataset: {sourceId: citation.id}, on: {click: () => openSource(citation.id, citation)},
    }, match[0]));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  replace(container, parts);
}

function messageNode(message) {
  const mine = message.role === 'user';
  const content = h('div', {class: 'content'});
  if (mine) content.textContent = message.content || '';
  else withMarkers(content, message.content || '', message.citations || []);
  const cites = h('div', {class: 'citations'});
  const extra = h('div', {class: 'extra'});
  const node = h('li', {class: ['message', mine ? 'from-user' : 'from-assistant']},
    h('div', {class: 'who'}, mine ? t('chat.you') : t('chat.assistant')),
    content, cites, extra);
  setCitations(cites, message.citations || []);
  if (message.tool) extra.append(h('span', {class: 'badge'}, t('chat.tool', {tool: message.tool})));
  return {node, content, cites, extra};
}

function setCitations(container, citations) {
  const seen = new Set();
  const chips = [];
  for (const citation of citations) {
    if (!citation || !citation.id || seen.has(citation.id)) continue;
    seen.add(citation.id);
    chips.push(citationChip(citation, null, chips.length + 1));
  }
  if (!chips.length) {
    replace(container);
    return;
  }
  replace(container, h('span', {class: 'cites-label'}, t('chat.sources')), chips);
}

function addCitation(container, citation) {
  if (container.querySelector(`[data-source-id="${CSS.escape(citation.id)}"]`)) return;
  if (!container.querySelector('.cites-label')) container.append(h('span', {class: 'cites-label'}, t('chat.sources')));
  container.append(citationChip(citation, null, container.querySelectorAll('.cite').length + 1));
}

async function loadSessions(list) {
  try {
    state.sessions = await api.get('/chat/sessions');
  } catch (error) {
    replace(list, errorBox(error));
    return;
  }
  renderSessions(list);
}

function renderSessions(list) {
  const items = (state.sessions || []).map((s) => h('li', null, h('button', {
    type: 'button', class: 'session', 'aria-current': s.id === state.sessionId ? 'true' : null,
    on: {click: () => openSession(s.id)},
  }, s.title || t('chat.untitled', {date: fmtDateTime(s.updated_at)}),
  h('small', null, fmtDateTime(s.updated_at)))));
  replace(list, items.length ? h('ul', {class: 'sessions'}, items) : null);
}

let view = null;

async function openSession(id) {
  state.sessionId = id;
  state.messages = [];
  if (!view) return;
  renderSessions(view.sessions);
  replace(view.log, loading());
  try {
    const session = await api.get(`/chat/sessions/${encodeURIComponent(id)}`);
    state.messages = session.messages || [];
    renderLog();
  } catch (error) {
    replace(view.log, errorBox(error));
  }
}

function renderLog() {
  if (!view) return;
  replace(view.log);
  if (!state.messages.length) view.log.append(h('li', {class: 'empty muted'}, t('chat.empty')));
  for (const message of state.messages) view.log.append(messageNode(message).node);
  view.log.scrollTop = view.log.scrollHeight;
}

async function ensureSession() {
  if (state.sessionId) return state.sessionId;
  const session = await api.post('/chat/sessions', {lang: lang()});
  state.sessionId = session.id;
  state.sessions = [{id: session.id, title: null, lang: session.lang, updated_at: session.created_at},
    ...(state.sessions || [])];
  if (view) renderSessions(view.sessions);
  return session.id;
}

async function send(text, confirm = false) {
  if (!view || state.streaming) return;
  const empty = view.log.querySelector('.empty');
  if (empty) empty.remove();
  if (!confirm) {
    const user = {role: 'user', content: text};
    state.messages.push(user);
    view.log.append(messageNode(user).node);
  }
  const answer = {role: 'assistant', content: '', citations: []};
  const parts = messageNode(answer);
  parts.node.setAttribute('aria-busy', 'true');
  const status = h('span', {class: 'typing muted'}, t('chat.thinking'));
  parts.extra.append(status);
  view.log.append(parts.node);
  view.log.scrollTop = view.log.scrollHeight;
  const controller = new AbortController();
  state.streaming = controller;
  setBusy(true);
  const streamed = document.createTextNode('');
  parts.content.append(streamed);
  try {
    const id = await ensureSession();
    await api.stream(`/chat/sessions/${encodeURIComponent(id)}/messages`,
      {content: text, lang: lang(), confirm}, (event) => {
        const data = event.data || {};
        if (event.event === 'token') {
          streamed.appendData(typeof data === 'string' ? data : data.text || '');
          answer.content = streamed.data;
        } else if (event.event === 'citation') {
          answer.citations.push(data);
          addCitation(parts.cites, data);
        } else if (event.event === 'confirm') {
          parts.extra.append(confirmBox(data, text));
        } else if (event.event === 'done') {
          if (data.citations && data.citations.length) answer.citations = data.citations;
          setCitations(parts.cites, answer.citations);
          withMarkers(parts.content, answer.content, answer.citations);
          answer.id = data.message_id;
          answer.tool = data.tool;
          if (data.tool) parts.extra.append(h('span', {class: 'badge'}, t('chat.tool', {tool: data.tool})));
        } else if (event.event === 'error') {
          parts.extra.append(errorBox(data));
        }
        view.log.scrollTop = view.log.scrollHeight;
      }, controller.signal);
    state.messages.push(answer);
  } catch (error) {
    if (error.name === 'AbortError') parts.extra.append(h('span', {class: 'muted'}, t('chat.stopped')));
    else parts.extra.append(errorBox(error));
  } finally {
    status.remove();
    parts.node.removeAttribute('aria-busy');
    state.streaming = null;
    setBusy(false);
    // The server names a conversation after its first question: refresh the list.
    if (view) loadSessions(view.sessions);
  }
}

function confirmBox(data, text) {
  const box = h('div', {class: 'confirm', role: 'group', 'aria-label': t('chat.confirmTitle')},
    h('p', null, h('strong', null, t('chat.confirmTitle')), ' — ', data.summary || data.action || ''));
  const yes = h('button', {type: 'button', class: 'primary', on: {click: () => {
    box.remove();
    send(text, true);
  }}}, t('chat.confirm'));
  const no = h('button', {type: 'button', on: {click: () => {
    replace(box, h('p', {class: 'muted'}, t('chat.declined')));
  }}}, t('chat.decline'));
  box.append(h('div', {class: 'actions'}, yes, no));
  queueMicrotask(() => yes.focus());
  return box;
}

function setBusy(busy) {
  if (!view) return;
  view.send.disabled = busy;
  view.stop.hidden = !busy;
}

export function render() {
  const sessions = h('div', {class: 'session-list'});
  const log = h('ol', {class: 'chat-log', role: 'log', 'aria-live': 'polite', 'aria-label': t('chat.log'), tabindex: '0'});
  const input = h('textarea', {name: 'message', rows: '3', required: true});
  const sendButton = h('button', {type: 'submit', class: 'primary'}, t('chat.send'));
  const stop = h('button', {type: 'button', hidden: true, on: {click: () => state.streaming?.abort()}}, t('chat.stop'));
  const form = h('form', {class: 'chat-form', on: {submit: (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    send(text);
  }}}, field(t('chat.input'), input, t('chat.inputHint')), h('div', {class: 'actions'}, sendButton, stop));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  view = {sessions, log, send: sendButton, stop, input};
  const newButton = h('button', {type: 'button', on: {click: () => {
    state.sessionId = null;
    state.messages = [];
    renderSessions(sessions);
    renderLog();
    input.focus();
  }}}, t('chat.new'));
  const page = h('div', {class: 'chat-page'},
    h('aside', {class: 'chat-aside', 'aria-labelledby': 'chat-sessions-title'},
      h('h2', {id: 'chat-sessions-title'}, t('chat.sessions')), newButton, sessions),
    h('section', {class: 'chat-main', 'aria-labelledby': 'chat-title'},
      h('h1', {id: 'chat-title'}, t('chat.title')), log, form));
  renderLog();
  if (state.sessions) renderSessions(sessions);
  else loadSessions(sessions);
  if (state.sessionId && !state.messages.length) openSession(state.sessionId);
  queueMicrotask(() => input.focus());
  return page;
}

export function reset() {
  state.streaming?.abort();
  state.sessionId = null;
  state.sessions = null;
  state.messages = [];
}
