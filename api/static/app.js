// kambot web app: login, navigation by role, language switch, and the router of the views.

import {h, replace, field} from './js/dom.js';
import * as api from './js/api.js';
import {t, lang, setLang, onLangChange, LANGS} from './js/i18n.js';
import {openSource, errorBox, loading} from './js/ui.js';

const ALL = ['kam', 'lead', 'executive', 'hr', 'admin'];
const ACCOUNT_ROLES = ['kam', 'lead', 'executive', 'admin'];
// Views load on first use, so that the login page fetches only what it shows.
const VIEWS = [
  {id: 'chat', label: 'nav.chat', roles: ALL, load: () => import('./js/views/chat.js')},
  {id: 'accounts', label: 'nav.accounts', roles: ACCOUNT_ROLES, load: () => import('./js/views/accounts.js')},
  {id: 'matrix', label: 'nav.matrix', roles: ACCOUNT_ROLES, load: () => import('./js/views/matrix.js')},
  {id: 'documents', label: 'nav.documents', roles: ACCOUNT_ROLES, load: () => import('./js/views/documents.js')},
  {id: 'interview', label: 'nav.interview', roles: ['executive', 'lead', 'admin'], load: () => import('./js/views/interview.js')},
  {id: 'assessments', label: 'nav.assessments', roles: ['hr'], load: () => import('./js/views/assessments.js')},
];
const loaded = new Map();

async function viewModule(spec) {
  if (!loaded.has(spec.id)) loaded.set(spec.id, await spec.load());
  return loaded.get(spec.id);
}

const state = {user: null, notice: null};
const root = document.getElementById('app');

function allowedViews() {
  return state.user ? VIEWS.filter((v) => v.roles.includes(state.user.role)) : [];
}

/** Parse "#/view/arg?x=y" into its parts. */
function parseHash() {
  const raw = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [path, query] = raw.split('?');
  const [view, ...rest] = path.split('/');
  return {view, arg: rest.join('/'), params: new URLSearchParams(query || '')};
}

export function navigate(view, arg, params) {
  let hash = `#/${view}`;
  if (arg) hash += `/${encodeURIComponent(arg)}`;
  if (params) {
    const qs = new URLSearchParams(params).toString();
    if (qs) hash += `?${qs}`;
  }
  if (location.hash === hash) route();
  else location.hash = hash;
}

function langSwitch() {
  return h('div', {class: 'lang-switch', role: 'group', 'aria-label': t('lang.label')},
    LANGS.map((code) => h('button', {
      type: 'button', lang: code, 'aria-pressed': String(code === lang()),
      on: {click: () => setLang(code)},
    }, t(`lang.${code}`))));
}

function header() {
  const views = allowedViews();
  const current = parseHash().view;
  const nav = state.user ? h('nav', {'aria-label': t('nav.label'), class: 'main-nav'},
    h('ul', null, views.map((v) => h('li', null, h('a', {
      href: `#/${v.id}`, 'aria-current': v.id === current ? 'page' : null,
    }, t(v.label)))))) : null;
  const user = state.user ? h('div', {class: 'user'},
    h('span', {class: 'who-am-i'}, h('span', {class: 'sr-only'}, t('user.signedIn', {user: state.user.username, role: t(`role.${state.user.role}`)})),
      h('strong', {'aria-hidden': 'true'}, state.user.username), h('small', {'aria-hidden': 'true'}, t(`role.${state.user.role}`))),
    h('button', {type: 'button', class: 'link', on: {click: logout}}, t('user.logout'))) : null;
  return h('header', {class: 'top'},
    h('div', {class: 'brand'}, h('span', {class: 'logo', 'aria-hidden': 'true'}, 'k'),
      h('span', null, h('strong', null, t('app.name')), h('small', null, t('app.tagline')))),
    nav, h('div', {class: 'top-right'}, user, langSwitch()));
}

function loginView() {
  const username = h('input', {name: 'username', autocomplete: 'username', required: true});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const message = h('div', {class: 'form-message', 'aria-live': 'polite'});
  const submit = h('button', {type: 'submit', class: 'primary'}, t('login.submit'));
  if (state.notice) message.append(h('p', {class: 'notice'}, state.notice));
  const form = h('form', {class: 'login card', 'aria-labelledby': 'login-title', on: {submit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    submit.textContent = t('login.busy');
    replace(message);
    try {
      const body = await api.post('/auth/login', {username: username.value, password: password.value});
      api.setCsrfToken(body.csrf_token);
      state.user = {username: body.username, role: body.role};
      state.notice = null;
      const first = allowedViews()[0];
      const wanted = parseHash().view;
      if (allowedViews().some((v) => v.id === wanted)) route();
      else navigate(first ? first.id : 'chat');
    } catch (error) {
      replace(message, error.status === 401
        ? h('p', {class: 'error', role: 'alert'}, t('login.failed'))
        : errorBox(error));
      submit.disabled = false;
      submit.textContent = t('login.submit');
      password.select();
    }
  }}},
  h('h1', {id: 'login-title'}, t('login.title')),
  h('p', {class: 'muted'}, t('login.intro')),
  field(t('login.username'), username),
  field(t('login.password'), password),
  message, submit);
  return h('div', {class: 'login-wrap'}, form);
}

async function logout() {
  try {
    await api.request('/auth/logout', {method: 'POST'});
  } catch {
    // The session may already be gone; the client forgets it either way.
  }
  forget();
  render();
}

/** Drop the session and whatever the views kept: the next user may see other things. */
function forget() {
  api.setCsrfToken(null);
  state.user = null;
  currentView = null;
  for (const module of loaded.values()) module.reset?.();
}

let currentView = null;

function route() {
  const {view, arg, params} = parseHash();
  if (!state.user) {
    render();
    return;
  }
  if (view === 'source' && arg) {
    // A link to one cited source: open it over the first view.
    const first = allowedViews()[0];
    history.replaceState(null, '', `#/${first ? first.id : 'chat'}`);
    route();
    openSource(arg);
    return;
  }
  const views = allowedViews();
  const spec = views.find((v) => v.id === view) || views[0];
  if (!spec) {
    render();
    return;
  }
  if (spec.id !== view) {
    history.replaceState(null, '', `#/${spec.id}`);
  }
  currentView = {spec, arg, params};
  render();
}

function render() {
  document.documentElement.lang = lang();
  document.title = t('app.name');
  const main = h('main', {id: 'main', tabindex: '-1'});
  replace(root, h('a', {class: 'skip', href: '#main', on: {click: (event) => {
    event.preventDefault();
    main.focus();
  }}}, t('app.skip')), header(), main);
  if (!state.user) {
    main.append(loginView());
    main.querySelector('input')?.focus();
    return;
  }
  if (!currentView) return;
  const shown = currentView;
  const {spec, arg, params} = shown;
  document.title = `${t(spec.label)} · ${t('app.name')}`;
  const ctx = {user: state.user, arg, params, navigate};
  const module = loaded.get(spec.id);
  if (module) {
    main.append(module.render(ctx));
    return;
  }
  main.append(loading());
  viewModule(spec).then((m) => {
    // The person may have moved on while the module loaded.
    if (currentView === shown && main.isConnected) replace(main, m.render(ctx));
  }, (error) => replace(main, errorBox(error)));
}

api.onUnauthorized(() => {
  if (!state.user) return;
  forget();
  state.notice = t('login.expired');
  render();
});

onLangChange(() => {
  // Re-render the page in the new language; views keep their state in their modules.
  const focused = document.activeElement && document.activeElement.getAttribute('lang');
  render();
  if (focused) root.querySelector(`.lang-switch button[lang="${focused}"]`)?.focus();
});
window.addEventListener('hashchange', route);

async function resume() {
  // A server whose /auth/me also hands back the CSRF token lets a reload keep the session.
  try {
    const me = await api.get('/auth/me');
    if (me && me.csrf_token && !state.user) {
      api.setCsrfToken(me.csrf_token);
      state.user = {username: me.username, role: me.role};
      route();
    }
  } catch {
    // Not signed in: the login form is already shown.
  }
}

render();
resume();
// Fetch the views in the background once the login form is on screen.
const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
idle(() => VIEWS.forEach((spec) => viewModule(spec).catch(() => {})));
