// HR assessments: upload a CV, read the proposed levels with the evidence highlighted in the
// CV text, then confirm the proposal or override it with a written reason. HR role only.

import {h, replace, field, select} from '../dom.js';
import * as api from '../api.js';
import {t, tOr, lang, humanise, fmtNumber, fmtPercent, fmtDateTime} from '../i18n.js';
import {errorBox, loading} from '../ui.js';

const TARGETS = ['farmer', 'hunter', 'project_director'];
const TRAITS = ['leader', 'challenger', 'seller', 'planner', 'visionary', 'influencer'];
// CV texts stay in this tab's memory only: the server does not keep them.
const state = {texts: new Map(), current: null};

const traitName = (trait) => tOr(`trait.${trait}`, trait);

/** Split the CV text at evidence boundaries and wrap covered stretches in <mark>. */
export function highlighted(text, evidence) {
  const spans = evidence.filter((e) => e.end > e.start && e.end <= text.length);
  const cuts = new Set([0, text.length]);
  for (const e of spans) {
    cuts.add(e.start);
    cuts.add(e.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [from, to] = [points[i], points[i + 1]];
    const piece = text.slice(from, to);
    const covering = spans.filter((e) => e.start <= from && e.end >= to);
    if (!covering.length) {
      nodes.push(piece);
      continue;
    }
    const traits = [...new Set(covering.map((e) => e.trait))];
    nodes.push(h('mark', {
      class: ['ev', ...traits.map((tr) => `ev-${tr}`)], tabindex: '-1',
      dataset: {evidence: covering.map((e) => e.id).join(' '), traits: traits.join(' ')},
      title: traits.map(traitName).join(', '),
    }, piece));
  }
  return nodes;
}

function statusBadge(status) {
  return h('span', {class: ['badge', `st-${status}`]}, tOr(`hr.status.${status}`, status));
}

function scoresTable(a, cvBox) {
  return h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
    h('caption', null, t('hr.scores')),
    h('thead', null, h('tr', null, ['trait', 'level', 'target', 'confidence', 'evidence'].map((c) =>
      h('th', {scope: 'col'}, t(`hr.col.${c}`))))),
    h('tbody', null, a.scores.map((sc) => h('tr', null,
      h('th', {scope: 'row'}, h('span', {class: ['swatch', `ev-${sc.trait}`], 'aria-hidden': 'true'}), traitName(sc.trait)),
      h('td', null, sc.level === null ? h('span', {class: 'muted'}, t('hr.notEnough')) : String(sc.level)),
      h('td', null, String(a.target?.target_levels?.[sc.trait] ?? 4)),
      h('td', null, fmtPercent(sc.confidence)),
      h('td', null, h('button', {type: 'button', class: 'link', 'aria-pressed': 'false', dataset: {trait: sc.trait},
        on: {click: (event) => focusTrait(cvBox, sc.trait, event.currentTarget)}},
      t('hr.showEvidence', {count: a.evidence.filter((e) => e.trait === sc.trait).length}))))))));
}

function focusTrait(cvBox, trait, button) {
  const on = button.getAttribute('aria-pressed') !== 'true';
  for (const other of document.querySelectorAll('button[data-trait]')) other.setAttribute('aria-pressed', 'false');
  button.setAttribute('aria-pressed', String(on));
  for (const tr of TRAITS) cvBox.classList.remove(`focus-${tr}`);
  if (on) {
    cvBox.classList.add(`focus-${trait}`);
    const first = cvBox.querySelector(`mark.ev-${trait}`) || cvBox.querySelector(`[data-trait-list="${trait}"]`);
    if (first) {
      first.scrollIntoView({block: 'center'});
      first.focus();
    }
  }
}

function evidenceList(a, cvBox, hasText) {
  return h('section', {'aria-labelledby': 'ev-title'}, h('h3', {id: 'ev-title'}, t('hr.evidence')),
    TRAITS.map((trait) => {
      const items = a.evidence.filter((e) => e.trait === trait);
      if (!items.length) return null;
      return h('div', {class: 'ev-group', dataset: {traitList: trait}, tabindex: '-1'},
        h('h4', null, traitName(trait)),
        h('ul', null, items.map((e) => h('li', null,
          hasText ? h('button', {type: 'button', class: 'link quote', on: {click: () => {
            const mark = [...cvBox.querySelectorAll('mark')].find((m) => m.dataset.evidence.split(' ').includes(e.id));
            if (mark) {
              mark.scrollIntoView({block: 'center'});
              mark.focus();
            }
          }}}, t('hr.quote', {quote: e.quote})) : h('q', null, e.quote),
          h('small', {class: 'muted'}, ` ${t('hr.line', {line: e.line})} · ${e.indicator}${e.level ? ` · ${e.level}/5` : ''}`)))));
    }));
}

function decisionForm(a, reload) {
  const ref = encodeURIComponent(a.candidate_ref);
  const message = h('div', {'aria-live': 'polite'});
  const send = async (body) => {
    replace(message, h('p', {class: 'muted', role: 'status'}, t('common.loading')));
    try {
      await api.post(`/assessments/${ref}/decision`, body);
      reload();
    } catch (error) {
      replace(message, errorBox(error));
    }
  };
  const levels = TRAITS.map((trait) => [trait, select([['', t('hr.keep')], ['1', '1'], ['2', '2'], ['3', '3'], ['4', '4'], ['5', '5']],
    {name: `level-${trait}`})]);
  const reason = h('textarea', {name: 'reason', rows: '3'});
  const override = h('form', {class: 'override', on: {submit: (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      replace(message, h('p', {class: 'error', role: 'alert'}, t('hr.reasonRequired')));
      reason.focus();
      return;
    }
    const chosen = {};
    for (const [trait, control] of levels) if (control.value) chosen[trait] = Number(control.value);
    send({decision: 'override', levels: chosen, reason: reason.value.trim()});
  }}}, h('fieldset', null, h('legend', null, t('hr.override')),
    h('div', {class: 'levels-grid'}, levels.map(([trait, control]) => field(t('hr.overrideLevel', {trait: traitName(trait)}), control))),
    field(t('hr.reason'), reason),
    h('button', {type: 'submit'}, t('hr.override'))));
  return h('section', {class: 'card decision', 'aria-labelledby': 'decision-title'},
    h('h2', {id: 'decision-title'}, t('hr.decision')),
    h('button', {type: 'button', class: 'primary', on: {click: () => send({decision: 'confirm'})}}, t('hr.confirm')),
    override, message);
}

function assessmentView(a, reload) {
  const text = a.text || state.texts.get(a.candidate_ref) || null;
  const cvBox = h('div', {class: 'cv-text', tabindex: '0', 'aria-label': t('hr.cv')});
  if (text) cvBox.append(...highlighted(text, a.evidence));
  const ref = encodeURIComponent(a.candidate_ref);
  const d = a.decision;
  const list = (title, items, fmt) => (items && items.length ? h('section', null, h('h3', null, title),
    h('ul', null, items.map((x) => h('li', null, fmt(x))))) : null);
  return h('div', {class: 'assessment'},
    h('section', {class: 'card', 'aria-labelledby': 'cand-title'},
      h('h2', {id: 'cand-title', tabindex: '-1'}, a.candidate_ref, ' ', statusBadge(a.status)),
      a.fit ? h('p', null, t('hr.fit', {fit: a.fit.score_pct === null || a.fit.score_pct === undefined ? '–' : `${fmtNumber(a.fit.score_pct)} %`}),
        ' ', h('span', {class: 'muted'}, t('hr.assessedWeight', {weight: a.fit.assessed_weight}))) : null,
      d ? h('p', {class: 'notice ok'}, t('hr.decided', {kind: tOr(`hr.status.${d.kind}`, d.kind), reviewer: d.reviewer, at: fmtDateTime(d.at)}),
        d.reason ? ` — ${d.reason}` : '') : null,
      scoresTable(a, cvBox),
      h('p', {class: 'downloads'},
        h('a', {class: 'button', href: `/assessments/${ref}/report.md`, download: ''}, t('hr.reportMd')),
        h('a', {class: 'button', href: `/assessments/${ref}/report.docx`, download: ''}, t('hr.reportDocx')))),
    h('div', {class: 'two-cols even'},
      h('section', {class: 'card', 'aria-labelledby': 'cv-title'}, h('h2', {id: 'cv-title'}, t('hr.cv')),
        text ? cvBox : h('p', {class: 'notice'}, t('hr.cvMissing')), evidenceList(a, cvBox, Boolean(text))),
      h('div', null,
        a.status === 'proposal' ? decisionForm(a, reload) : null,
        h('section', {class: 'card'},
          list(t('hr.gaps'), a.gaps, (g) => [h('strong', null, g.kind === 'trait' ? traitName(g.key) : humanise(g.key)),
            g.current !== null && g.target !== null ? ` ${g.current ?? '–'} → ${g.target}` : '',
            ' · ', tOr(`hr.reco.${g.recommendation}`, g.recommendation), h('br'), h('small', {class: 'muted'}, g.rationale)]),
          list(t('hr.flags'), a.flags, (f) => [h('span', {class: ['badge', f.severity === 'alert' ? 'warn' : null]}, f.severity), ' ',
            f.message, f.line ? h('small', {class: 'muted'}, ` (${t('hr.line', {line: f.line})})`) : null]),
          list(t('hr.questions'), a.questions, (q) => [h('strong', null, `${traitName(q.trait)} — `), q.question,
            h('br'), h('small', {class: 'muted'}, q.reason)])))));
}

function uploadForm(onDone) {
  const candidate = h('input', {name: 'candidate_ref', required: true, autocomplete: 'off'});
  const file = h('input', {type: 'file', name: 'file', accept: '.pdf,.docx,.txt,.md,text/plain,text/markdown,application/pdf'});
  const text = h('textarea', {name: 'text', rows: '8'});
  const target = select(TARGETS.map((k) => [k, t(`hr.target.${k}`)]), {name: 'target', value: 'farmer'});
  const message = h('div', {'aria-live': 'polite'});
  const submit = h('button', {type: 'submit', class: 'primary'}, t('hr.submit'));
  return h('form', {class: 'card', 'aria-labelledby': 'hr-new-title', on: {submit: async (event) => {
    event.preventDefault();
    const ref = candidate.value.trim();
    const chosen = file.files && file.files[0];
    if (!chosen && !text.value.trim()) {
      replace(message, h('p', {class: 'error', role: 'alert'}, t('hr.needInput')));
      return;
    }
    submit.disabled = true;
    replace(message, h('p', {class: 'muted', role: 'status'}, t('hr.busy')));
    try {
      let result;
      if (chosen) {
        if (/\.(txt|md)$/i.test(chosen.name)) state.texts.set(ref, await chosen.text());
        const form = new FormData();
        form.append('candidate_ref', ref);
        form.append('lang', lang());
        form.append('target', target.value);
        form.append('file', chosen);
        result = await api.request('/assessments', {method: 'POST', form});
      } else {
        state.texts.set(ref, text.value);
        result = await api.post('/assessments', {candidate_ref: ref, text: text.value, filename: 'cv.txt', lang: lang(), target: target.value});
      }
      replace(message);
      onDone(result.candidate_ref || ref);
    } catch (error) {
      replace(message, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  }}},
  h('h2', {id: 'hr-new-title'}, t('hr.new')),
  field(t('hr.candidate'), candidate, t('hr.candidateHint')),
  field(t('hr.target'), target),
  field(t('hr.file'), file), field(t('hr.text'), text), message, submit);
}

function runList(items, open) {
  if (!items.length) return h('p', {class: 'muted'}, t('hr.none'));
  return h('ul', {class: 'doc-list'}, items.map((r) => h('li', null,
    h('button', {type: 'button', class: 'link', on: {click: () => open(r.candidate_ref)}},
      r.candidate_ref, ' ', statusBadge(r.status || 'proposal'),
      h('small', {class: 'muted'}, [fmtDateTime(r.created_at), r.target ? t(`hr.target.${r.target}`) : null,
        r.fit_pct !== null && r.fit_pct !== undefined ? `${fmtNumber(r.fit_pct)} %` : null].filter(Boolean).join(' · '))))));
}

export function render(ctx) {
  const listSlot = h('div', null, loading());
  const main = h('div');
  const refreshList = () => api.get('/assessments').then(
    (items) => replace(listSlot, runList(Array.isArray(items) ? items : items.items || [], open)),
    (error) => replace(listSlot, errorBox(error)));
  const open = async (ref) => {
    state.current = ref;
    replace(main, loading());
    try {
      const a = await api.get(`/assessments/${encodeURIComponent(ref)}`);
      replace(main, assessmentView(a, () => open(ref)));
      main.querySelector('#cand-title').focus();
    } catch (error) {
      replace(main, errorBox(error));
    }
    refreshList();
  };
  const page = h('div', {class: 'assessments-page'},
    h('h1', null, t('hr.title')), h('p', {class: 'muted'}, t('hr.intro')),
    h('div', {class: 'two-cols'},
      h('div', {class: 'col-side'}, uploadForm(open),
        h('section', {class: 'card', 'aria-labelledby': 'hr-list-title'}, h('h2', {id: 'hr-list-title'}, t('hr.list')), listSlot)),
      h('div', {class: 'col-main'}, main)));
  refreshList();
  if (state.current) open(state.current);
  return page;
}

export function reset() {
  state.texts.clear();
  state.current = null;
}


