// Shared pieces of the interface: error and loading messages, citation chips, the source dialog.

import {h, replace} from './dom.js';
import {get} from './api.js';
import {t, tOr} from './i18n.js';

/** A message saying what went wrong, with the server's hint when it gave one. */
export function errorBox(error) {
  let text;
  if (error && error.status === 403) text = t('common.forbidden');
  else if (error && (error.status === 404 || error.status === 405) && !error.code) text = t('common.unavailable');
  else text = t('common.error', {message: (error && error.message) || String(error)});
  return h('div', {class: 'error', role: 'alert'},
    h('p', null, text),
    error && error.hint ? h('p', {class: 'hint'}, t('common.hint', {hint: error.hint})) : null);
}

export function loading() {
  return h('p', {class: 'loading', role: 'status'}, t('common.loading'));
}

/** Run a loader into a container, showing a loading line and then the result or the error. */
export async function load(container, loader) {
  replace(container, loading());
  try {
    const node = await loader();
    replace(container, node);
  } catch (error) {
    replace(container, errorBox(error));
  }
}

/** A small button naming a source; activating it opens the cited passage or fact. */
export function citationChip(citation, fallback, number) {
  const label = citation.label || citation.id;
  const chip = h('button', {
    type: 'button',
    class: ['cite', citation.untrusted || citation.kind === 'note' ? 'cite-untrusted' : null],
    title: citation.snippet || citation.detail || label,
    'aria-label': t('source.open', {label}),
    dataset: {sourceId: citation.id},
    on: {click: () => openSource(citation.id, fallback || citation)},
  }, number ? `[${number}] ${label}` : label);
  return chip;
}

let dialog = null;

function sourceDialog() {
  if (dialog) return dialog;
  const title = h('h2', {id: 'source-title'}, t('source.title'));
  dialog = h('dialog', {class: 'source-dialog', 'aria-labelledby': 'source-title'},
    h('div', {class: 'dialog-head'}, title,
      h('button', {type: 'button', class: 'close', on: {click: () => dialog.close()}}, t('common.close'))),
    h('div', {class: 'dialog-body'}));
  // A click on the backdrop (outside the box) closes the dialog too.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  document.body.append(dialog);
  return dialog;
}

function kindLabel(kind) {
  return tOr(`source.kind.${kind}`, kind);
}

/** Open the cited passage or fact (GET /sources?id=) in a modal dialog. */
export async function openSource(id, fallback) {
  const box = sourceDialog();
  const body = box.querySelector('.dialog-body');
  box.querySelector('h2').textContent = t('source.title');
  box.querySelector('.close').textContent = t('common.close');
  replace(body, loading());
  if (!box.open) box.showModal();
  try {
    const source = await get('/sources', {id});
    box.querySelector('h2').textContent = source.title || fallback?.label || id;
    const untrusted = source.kind === 'note' || source.untrusted;
    replace(body,
      h('p', {class: 'meta'}, kindLabel(source.kind), ' · ', h('code', null, source.id || id)),
      untrusted ? h('p', {class: 'notice'}, t('source.untrusted')) : null,
      h('div', {class: 'source-text', lang: source.lang || null}, source.text || ''));
  } catch (error) {
    if (fallback && (fallback.detail || fallback.snippet)) {
      box.querySelector('h2').textContent = fallback.label || id;
      replace(body,
        h('p', {class: 'meta'}, kindLabel(fallback.kind), ' · ', h('code', null, id)),
        fallback.untrusted ? h('p', {class: 'notice'}, t('source.untrusted')) : null,
        h('p', {class: 'notice'}, t('source.fromDocument')),
        h('div', {class: 'source-text'}, fallback.detail || fallback.snippet));
    } else if (error.status === 404) {
      replace(body, h('p', {class: 'error', role: 'alert'}, t('source.notFound')));
    } else {
      replace(body, errorBox(error));
    }
  }
  box.querySelector('.close').focus();
}

/** Render any JSON value as nested lists and definitions (for shapes with no dedicated view). */
export function renderValue(value, depth = 0) {
  if (value === null || value === undefined) return h('span', {class: 'muted'}, '–');
  if (Array.isArray(value)) {
    if (!value.length) return h('span', {class: 'muted'}, t('common.none'));
    return h('ul', {class: 'plain-list'}, value.map((v) => h('li', null, renderValue(v, depth + 1))));
  }
  if (typeof value === 'object') {
    return h('dl', {class: depth ? 'kv nested' : 'kv'},
      Object.entries(value).map(([k, v]) => [h('dt', null, tOr(`field.${k}`, k)), h('dd', null, renderValue(v, depth + 1))]));
  }
  if (typeof value === 'number') return String(Math.round(value * 1000) / 1000);
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  return h('span', {class: 'text'}, String(value));
}
