// Executive interview: one question at a time, coverage per theme, pause/resume,
// transcript, and the synthesis of the completed interviews.

import {h, replace, field, select} from '../dom.js';
import * as api from '../api.js';
import {t, tOr, lang, labelled, fmtPercent, fmtDateTime, humanise} from '../i18n.js';
import {errorBox, loading} from '../ui.js';

// Theme titles as the server gave them (a turn names its own theme only).
const titles = new Map();
const state = {turn: null};

const themeName = (id) => titles.get(id) || tOr(`theme.${id}`, id);
const statusName = (status) => tOr(`interview.st.${status}`, status || '');

function remember(turn) {
  if (turn && turn.theme && turn.theme_title) titles.set(turn.theme, turn.theme_title);
}

function meterRow(id, label, value) {
  return h('li', null, h('label', {for: id}, label),
    h('meter', {id, min: '0', max: '1', value: String(value ?? 0)},
      fmtPercent(value)),
    h('span', {class: 'num'}, fmtPercent(value)));
}

function coverageBars(coverage, current) {
  const entries = Object.entries(coverage || {});
  if (!entries.length) return null;
  return h('section', {class: 'coverage', 'aria-labelledby': 'coverage-title'},
    h('h2', {id: 'coverage-title', class: 'h3'}, t('interview.coverage')),
    h('ul', {class: 'bars-list'}, entries.map(([theme, value]) => {
      const row = meterRow(`cov-${theme}`, themeName(theme), value);
      if (theme === current) row.classList.add('current');
      return row;
    })));
}

function turnView(turn, show) {
  remember(turn);
  state.turn = turn;
  const answer = h('textarea', {name: 'answer', rows: '5', required: true, maxlength: '20000'});
  const message = h('div', {'aria-live': 'polite'});
  const submit = h('button', {type: 'submit', class: 'primary'}, t('interview.send'));
  const id = encodeURIComponent(turn.id);
  const act = async (path, body) => {
    submit.disabled = true;
    replace(message, h('p', {class: 'muted', role: 'status'}, t('common.loading')));
    try {
      show(await api.post(path, body));
    } catch (error) {
      replace(message, errorBox(error));
      submit.disabled = false;
    }
  };
  let body;
  if (turn.done || turn.status === 'done') {
    body = h('p', {class: 'notice ok'}, t('interview.done'));
  } else if (turn.status === 'paused') {
    body = h('div', null, h('p', {class: 'notice'}, t('interview.paused')),
      h('button', {type: 'button', class: 'primary', on: {click: () => act(`/interviews/${id}/resume`)}}, t('interview.resume')));
  } else {
    body = h('form', {on: {submit: (event) => {
      event.preventDefault();
      const text = answer.value.trim();
      if (text) act(`/interviews/${id}/answers`, {text});
    }}}, field(t('interview.answer'), answer, t('interview.answerHint')), message,
    h('div', {class: 'actions'}, submit,
      h('button', {type: 'button', on: {click: () => act(`/interviews/${id}/pause`)}}, t('interview.pause'))));
  }
  return h('section', {class: 'card interview-turn', 'aria-labelledby': 'question'},
    h('p', {class: 'muted small'}, [labelled(t('interview.with'), turn.executive), t('interview.status', {status: statusName(turn.status)})].join(' · ')),
    turn.preamble ? h('p', {class: 'preamble'}, turn.preamble) : null,
    turn.theme ? h('p', {class: 'muted'}, t('interview.theme', {theme: themeName(turn.theme)}),
      turn.probe ? h('span', {class: 'badge'}, t('interview.probe')) : null) : null,
    h('h2', {id: 'question', tabindex: '-1', class: 'question'}, turn.question || ''),
    turn.flags && turn.flags.length ? h('p', {class: 'notice warn'}, t('interview.flagged')) : null,
    body, coverageBars(turn.coverage, turn.theme));
}

function startForm(ctx, show) {
  const lead = ['lead', 'admin'].includes(ctx.user.role);
  const executive = h('input', {name: 'executive', autocomplete: 'off', required: lead});
  const language = select([['fr', t('lang.fr')], ['en', t('lang.en')]], {value: lang()});
  const message = h('div', {'aria-live': 'polite'});
  return h('form', {class: 'card', 'aria-labelledby': 'start-title', on: {submit: async (event) => {
    event.preventDefault();
    replace(message, loading());
    try {
      const body = {lang: language.value};
      if (lead && executive.value.trim()) body.executive = executive.value.trim();
      show(await api.post('/interviews', body));
      replace(message);
    } catch (error) {
      replace(message, errorBox(error));
    }
  }}},
  h('h2', {id: 'start-title'}, t('interview.start')),
  lead ? field(t('interview.executive'), executive, t('interview.executiveHint')) : null,
  field(t('interview.language'), language), message,
  h('button', {type: 'submit', class: 'primary'}, t('interview.start')));
}

function interviewList(items, open) {
  if (!items.length) return h('p', {class: 'muted'}, t('interview.none'));
  return h('ul', {class: 'doc-list'}, items.map((it) => h('li', null,
    h('button', {type: 'button', class: 'link', on: {click: () => open(it)}},
      h('span', {class: 'doc-title'}, it.executive),
      h('small', {class: 'muted'}, [statusName(it.status), fmtPercent(it.coverage), fmtDateTime(it.updated_at)].join(' · '))))));
}

function transcriptView(view) {
  const turns = view.transcript || [];
  return h('section', {class: 'card', 'aria-labelledby': 'transcript-title'},
    h('h2', {id: 'transcript-title', tabindex: '-1'}, t('interview.transcript'), ' — ', view.summary?.executive || ''),
    h('ol', {class: 'transcript'}, turns.map((turn) => h('li', {class: turn.speaker === 'executive' ? 'a' : 'q'},
      turn.theme && turn.speaker !== 'executive' ? h('small', {class: 'muted'}, `${themeName(turn.theme)} · `) : null,
      turn.text))));
}

function points(title, list) {
  if (!list || !list.length) return null;
  return h('div', null, h('h4', null, title), h('ul', null, list.map((p) => h('li', null,
    `${p.label} (${p.count}/${p.of})`, p.minority ? h('span', {class: 'badge'}, t('interview.minority')) : null,
    p.quotes && p.quotes.length ? h('blockquote', null, p.quotes[0].text) : null))));
}

function synthesisView(syn) {
  return h('section', {class: 'card synthesis', 'aria-labelledby': 'synthesis-title'},
    h('h2', {id: 'synthesis-title', tabindex: '-1'}, t('interview.synthesis')),
    h('p', null, t('interview.synthesisCount', {count: syn.interviews}), syn.executives.length ? ` — ${syn.executives.join(', ')}` : ''),
    syn.not_interviewed && syn.not_interviewed.length ? h('p', {class: 'muted'}, labelled(t('interview.notInterviewed'), syn.not_interviewed.join(', '))) : null,
    syn.themes.length ? h('section', null, h('h3', null, t('interview.themes')),
      h('ul', {class: 'bars-list'}, syn.themes.map((th) => meterRow(`syn-${th.theme}`, th.title, th.coverage))),
      syn.themes.map((th) => (th.consensus.length || th.divergence.length || th.mentions.length ? h('details', null,
        h('summary', null, th.title),
        points(t('interview.consensus'), th.consensus), points(t('interview.divergence'), th.divergence),
        points(t('interview.mentions'), th.mentions)) : null))) : null,
    syn.causes.length ? h('section', null, h('h3', null, t('interview.causes')),
      h('ol', null, syn.causes.map((c) => h('li', null, `${c.label} — ${t('interview.score', {score: c.score, n: c.interviews})}`)))) : null,
    syn.commitments.length ? h('section', null, h('h3', null, t('interview.commitments')),
      h('ul', null, syn.commitments.map((c) => h('li', null,
        `${c.executive} — ${c.account_name || c.mentioned} — ${tOr(`interview.commit.${c.status}`, c.status)}`)))) : null,
    syn.questions.length ? h('section', null, h('h3', null, t('interview.toSettle')),
      h('ul', null, syn.questions.map((q) => h('li', null, q.text)))) : null,
    syn.proposed_objectives && syn.proposed_objectives.length ? h('section', null, h('h3', null, t('interview.objectives')),
      h('ul', null, syn.proposed_objectives.map((o) => h('li', null, `${humanise(o.cause)} — ${o.statement}`,
        o.measure ? h('small', {class: 'muted'}, ` (${o.measure})`) : null)))) : null);
}

export function render(ctx) {
  const current = h('div', {class: 'interview-current'});
  const side = h('div', null, loading());
  const extra = h('div');
  const refreshList = () => api.get('/interviews').then(
    (items) => replace(side, interviewList(items, open)),
    (error) => replace(side, errorBox(error)));
  const show = (turn) => {
    replace(current, turnView(turn, show));
    current.querySelector('#question')?.focus();
    refreshList();
  };
  const open = async (summary) => {
    replace(extra, loading());
    try {
      const id = encodeURIComponent(summary.id);
      const [view, turn] = await Promise.all([api.get(`/interviews/${id}`),
        summary.status === 'done' ? null : api.get(`/interviews/${id}/turn`)]);
      if (turn) show(turn);
      replace(extra, transcriptView(view));
      if (!turn) extra.querySelector('h2').focus();
    } catch (error) {
      replace(extra, errorBox(error));
    }
  };
  const showSynthesis = async () => {
    replace(extra, loading());
    try {
      replace(extra, synthesisView(await api.get('/interviews/synthesis', {lang: lang()})));
      extra.querySelector('h2').focus();
    } catch (error) {
      replace(extra, errorBox(error));
    }
  };
  const page = h('div', {class: 'interview-page'},
    h('h1', null, t('interview.title')),
    h('p', {class: 'muted'}, t('interview.intro')),
    h('div', {class: 'two-cols'},
      h('div', {class: 'col-side'}, startForm(ctx, show),
        h('section', {class: 'card', 'aria-labelledby': 'iv-list-title'},
          h('h2', {id: 'iv-list-title'}, t('interview.list')), side,
          h('p', null, h('button', {type: 'button', on: {click: showSynthesis}}, t('interview.showSynthesis'))))),
      h('div', {class: 'col-main'}, current, extra)));
  if (state.turn) replace(current, turnView(state.turn, show));
  refreshList();
  return page;
}

export function reset() {
  state.turn = null;
  titles.clear();
}
