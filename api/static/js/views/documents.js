// Documents: list, draft (e.g. a CEB), read with numbered citations, revise a section,
// see whether the data moved since (staleness), compare versions, download as DOCX.

import {h, replace, field, select} from '../dom.js';
import * as api from '../api.js';
import {t, lang, fmtDate, fmtDateTime} from '../i18n.js';
import {errorBox, loading, openSource} from '../ui.js';

const ACCOUNT_KINDS = ['ceb', 'account_strategy', 'executive_summary'];
const PROGRAMME_KINDS = ['sponsorship_plan', 'programme_review'];
const KINDS = [...ACCOUNT_KINDS, ...PROGRAMME_KINDS];

const state = {accounts: null};

/** Find the stored id of a document the server returned without one. */
async function idOf(doc) {
  if (doc.id !== undefined && doc.id !== null) return doc.id;
  const list = await api.get('/documents', {kind: doc.kind, account: doc.account_external_id || '', lang: doc.language});
  const match = list.find((d) => d.kind === doc.kind && d.version === doc.version
    && (d.account_external_id || null) === (doc.account_external_id || null) && d.language === doc.language);
  return match ? match.id : (list[0] && list[0].id);
}

async function accountOptions() {
  if (state.accounts) return state.accounts;
  const items = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api.get('/accounts', {offset, limit: 500});
    items.push(...page.items);
    if (items.length >= page.total || !page.items.length) break;
  }
  state.accounts = items;
  return items;
}

function draftForm(ctx, onDrafted) {
  const wanted = ctx.params.get('draft');
  const kind = select(KINDS.map((k) => [k, t(`docs.kind.${k}`)]), {name: 'kind', value: KINDS.includes(wanted) ? wanted : 'ceb'});
  const account = h('input', {name: 'account', list: 'doc-accounts', autocomplete: 'off', value: ctx.params.get('account') || ''});
  const datalist = h('datalist', {id: 'doc-accounts'});
  const language = select([['fr', t('lang.fr')], ['en', t('lang.en')]], {name: 'lang', value: lang()});
  const instructions = h('textarea', {name: 'instructions', rows: '2', maxlength: '2000'});
  const message = h('div', {'aria-live': 'polite'});
  const submit = h('button', {type: 'submit', class: 'primary'}, t('docs.submit'));
  const accountField = field(t('docs.account'), account, t('docs.accountHint'));
  const sync = () => {
    const needsAccount = ACCOUNT_KINDS.includes(kind.value);
    accountField.hidden = !needsAccount;
    account.required = needsAccount;
  };
  kind.addEventListener('change', sync);
  sync();
  accountOptions().then((items) => {
    replace(datalist, items.map((a) => h('option', {value: a.external_id}, a.name)));
  }, () => {});
  return h('form', {class: 'card draft-form', 'aria-labelledby': 'draft-title', on: {submit: async (event) => {
    event.preventDefault();
    replace(message);
    let ref = account.value.trim();
    if (ACCOUNT_KINDS.includes(kind.value) && !ref) {
      replace(message, h('p', {class: 'error', role: 'alert'}, t('docs.accountRequired')));
      account.focus();
      return;
    }
    // The list shows "C10175" with the name as a hint; a typed name is resolved by the server.
    const byName = (state.accounts || []).find((a) => a.name.toLowerCase() === ref.toLowerCase());
    if (byName) ref = byName.external_id;
    submit.disabled = true;
    submit.textContent = t('docs.busy');
    replace(message, h('p', {class: 'muted', role: 'status'}, t('docs.busy')));
    try {
      const doc = await api.post('/documents', {
        kind: kind.value, account: ACCOUNT_KINDS.includes(kind.value) ? ref : null,
        lang: language.value, instructions: instructions.value.trim() || null,
      });
      const id = await idOf(doc);
      replace(message);
      onDrafted(id);
    } catch (error) {
      replace(message, errorBox(error));
    } finally {
      submit.disabled = false;
      submit.textContent = t('docs.submit');
    }
  }}},
  h('h2', {id: 'draft-title'}, t('docs.draft')), field(t('docs.kind'), kind), accountField, datalist,
  field(t('docs.language'), language), field(t('docs.instructions'), instructions), message, submit);
}

function documentList(items, currentId, ctx) {
  if (!items.length) return h('p', {class: 'muted'}, t('docs.none'));
  return h('ul', {class: 'doc-list'}, items.map((d) => h('li', null,
    h('a', {href: `#/documents/${d.id}`, 'aria-current': String(d.id) === String(currentId) ? 'true' : null},
      h('span', {class: 'doc-title'}, d.title),
      h('small', {class: 'muted'}, `${t(`docs.kind.${d.kind}`)} · ${d.language.toUpperCase()} · ${t('docs.version', {version: d.version})} · ${fmtDateTime(d.created_at)}`),
      d.stale ? h('span', {class: 'badge warn'}, t('docs.staleShort')) : null))));
}

/** Number the sources in order of first citation: [1], [2]... as in the DOCX export. */
function numbering(doc) {
  const numbers = new Map();
  for (const section of doc.sections) {
    for (const st of section.statements) {
      for (const id of st.citations) if (!numbers.has(id)) numbers.set(id, numbers.size + 1);
    }
  }
  return numbers;
}

function chip(id, number, sources) {
  const source = sources.get(id) || {id, label: id, kind: 'passage'};
  return h('button', {
    type: 'button', class: ['cite', 'cite-num', source.untrusted ? 'cite-untrusted' : null],
    title: source.label, 'aria-label': t('source.open', {label: source.label}), dataset: {sourceId: id},
    on: {click: () => openSource(id, source)},
  }, `[${number}]`);
}

function stalenessBox(staleness) {
  if (!staleness) return null;
  if (!staleness.stale) return h('p', {class: 'notice ok'}, t('docs.fresh'));
  const changes = staleness.changes || [];
  return h('div', {class: 'notice warn', role: 'status'},
    h('p', null, h('strong', null, t('docs.stale'))),
    changes.length ? h('details', null, h('summary', null, `${t('docs.staleChanges')} (${changes.length})`),
      h('ul', null, changes.slice(0, 50).map((c) => h('li', null, h('code', null, c.id), ` — ${c.change}`,
        c.before !== null && c.before !== undefined ? ` : ${c.before}` : '',
        c.after !== null && c.after !== undefined ? ` → ${c.after}` : '',
        c.cited ? h('span', {class: 'badge'}, t('docs.staleCited')) : null)))) : null);
}

function reviseForm(docId, section, onRevised) {
  const instruction = h('textarea', {name: 'instruction', rows: '2', required: true, maxlength: '2000'});
  const message = h('div', {'aria-live': 'polite'});
  const submit = h('button', {type: 'submit', class: 'primary'}, t('docs.reviseSubmit'));
  const form = h('form', {class: 'revise-form', hidden: true, on: {submit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    submit.textContent = t('docs.reviseBusy');
    replace(message);
    try {
      const doc = await api.post(`/documents/${docId}/sections/${encodeURIComponent(section.key)}/revise`,
        {instruction: instruction.value.trim()});
      onRevised(await idOf(doc));
    } catch (error) {
      replace(message, errorBox(error));
      submit.disabled = false;
      submit.textContent = t('docs.reviseSubmit');
    }
  }}}, field(t('docs.reviseInstruction'), instruction), message,
  h('div', {class: 'actions'}, submit, h('button', {type: 'button', on: {click: () => {
    form.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    toggle.focus();
  }}}, t('common.cancel'))));
  const toggle = h('button', {type: 'button', class: 'link', 'aria-expanded': 'false', on: {click: () => {
    form.hidden = !form.hidden;
    toggle.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) instruction.focus();
  }}}, t('docs.revise'));
  return [toggle, form];
}

async function versionsBlock(docId, ctx) {
  let versions;
  try {
    versions = await api.get(`/documents/${docId}/versions`);
  } catch {
    return null;
  }
  if (!Array.isArray(versions) || versions.length < 2) return null;
  const choose = select(versions.map((v) => [String(v.id), `${t('docs.version', {version: v.version})} · ${fmtDateTime(v.created_at)}`]),
    {value: String(docId)});
  choose.addEventListener('change', () => ctx.navigate('documents', choose.value));
  const other = versions.filter((v) => String(v.id) !== String(docId));
  const compareWith = select(other.map((v) => [String(v.id), t('docs.version', {version: v.version})]));
  const diffSlot = h('div', {'aria-live': 'polite'});
  const compare = h('button', {type: 'button', on: {click: async () => {
    replace(diffSlot, loading());
    try {
      const diff = await api.get(`/documents/${docId}/compare`, {with: compareWith.value});
      const changed = (diff.sections || []).filter((sct) => sct.added.length || sct.removed.length);
      replace(diffSlot, changed.length ? h('div', {class: 'diff'}, changed.map((sct) => h('section', null,
        h('h4', null, sct.title),
        h('ul', null, sct.removed.map((x) => h('li', {class: 'removed'}, h('span', {class: 'sr-only'}, `${t('docs.removed')} : `), x)),
          sct.added.map((x) => h('li', {class: 'added'}, h('span', {class: 'sr-only'}, `${t('docs.added')} : `), x))))))
        : h('p', {class: 'muted'}, t('docs.noChange')));
    } catch (error) {
      replace(diffSlot, errorBox(error));
    }
  }}}, t('docs.compare'));
  return h('div', {class: 'versions'}, field(t('docs.versions'), choose),
    h('div', {class: 'inline'}, field(t('docs.compare'), compareWith), compare), diffSlot);
}

async function documentView(docId, ctx) {
  const doc = await api.get(`/documents/${docId}`);
  const sources = new Map((doc.sources || []).map((src) => [src.id, src]));
  const numbers = numbering(doc);
  const staleSlot = h('div');
  api.get(`/documents/${docId}/staleness`).then((st) => replace(staleSlot, stalenessBox(st)), () => {
    if (doc.stale !== undefined) replace(staleSlot, stalenessBox({stale: doc.stale, changes: doc.changes || []}));
  });
  const versionsSlot = h('div');
  versionsBlock(docId, ctx).then((node) => replace(versionsSlot, node));
  const revised = new Set(doc.revised_sections || []);
  const guard = doc.guard || {};
  const onRevised = (id) => ctx.navigate('documents', id);
  const article = h('article', {class: 'card document', 'aria-labelledby': 'doc-title', lang: doc.language},
    h('header', null,
      h('h2', {id: 'doc-title', tabindex: '-1'}, doc.title),
      h('p', {class: 'muted'}, [t('docs.version', {version: doc.version}), t('docs.asOf', {date: fmtDate(doc.as_of)}),
        t('docs.writer', {writer: doc.writer}), fmtDateTime(doc.created_at)].join(' · ')),
      guard.passed ? h('p', {class: 'notice ok'}, t('docs.guardOk', {cited: guard.cited_statements, total: guard.statements}))
        : h('p', {class: 'notice warn'}, t('docs.guardFail', {count: (guard.issues || []).length})),
      doc.fallback_used ? h('p', {class: 'notice'}, t('docs.fallback', {reason: doc.fallback_reason || ''})) : null,
      staleSlot,
      h('p', {class: 'downloads'},
        h('a', {href: `/documents/${docId}/docx`, download: '', class: 'button'}, t('docs.docx')),
        h('a', {href: `/documents/${docId}/markdown`, download: '', class: 'button'}, t('docs.markdown'))),
      versionsSlot),
    doc.sections.map((section) => h('section', {class: ['doc-section', revised.has(section.key) ? 'revised' : null],
      'aria-labelledby': `sec-${section.key}`},
    h('h3', {id: `sec-${section.key}`}, section.title,
      revised.has(section.key) ? h('span', {class: 'badge'}, t('docs.revised')) : null),
    section.statements.map((st) => h('p', {class: 'statement'}, st.text, ' ',
      h('span', {class: 'cites'}, st.citations.map((id) => chip(id, numbers.get(id), sources))))),
    reviseForm(docId, section, onRevised))),
    h('section', {class: 'doc-sources', 'aria-labelledby': 'doc-sources-title'},
      h('h3', {id: 'doc-sources-title'}, t('chat.sources')),
      h('ol', null, [...numbers.entries()].map(([id]) => {
        const source = sources.get(id) || {id, label: id};
        return h('li', null, h('button', {type: 'button', class: 'link', dataset: {sourceId: id},
          on: {click: () => openSource(id, source)}}, source.label),
        source.untrusted ? h('small', {class: 'muted'}, ` (${t('docs.untrustedSource')})`) : null);
      }))));
  return article;
}

export function render(ctx) {
  const listSlot = h('div', null, loading());
  const docSlot = h('div', {class: 'doc-slot'});
  const refreshList = () => api.get('/documents').then(
    (items) => replace(listSlot, documentList(items, ctx.arg, ctx)),
    (error) => replace(listSlot, errorBox(error)));
  const page = h('div', {class: 'documents-page'},
    h('h1', null, t('docs.title')),
    h('div', {class: 'two-cols'},
      h('div', {class: 'col-side'}, draftForm(ctx, (id) => ctx.navigate('documents', id)),
        h('section', {class: 'card', 'aria-labelledby': 'stored-title'}, h('h2', {id: 'stored-title'}, t('docs.stored')), listSlot)),
      h('div', {class: 'col-main'}, docSlot)));
  refreshList();
  if (ctx.arg) {
    replace(docSlot, loading());
    documentView(ctx.arg, ctx).then((node) => {
      replace(docSlot, node);
      node.querySelector('#doc-title').focus();
    }, (error) => replace(docSlot, errorBox(error)));
  }
  return page;
}

export function reset() {
  state.accounts = null;
}

