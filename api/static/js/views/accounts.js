// Accounts: programme KPIs, tier counts, the account list with quadrant and tier, one account.

import {h, s, replace, field, select} from '../dom.js';
import * as api from '../api.js';
import {t, labelled, humanise, fmtCompact, fmtPercent, fmtNumber, fmtDate, fmtScore} from '../i18n.js';
import {errorBox, loading} from '../ui.js';

const PAGE = 25;
const QUADRANTS = ['strategic', 'star', 'status', 'streamline'];
const TIERS = ['gold', 'silver', 'bronze'];
const state = {quadrant: '', tier: '', selected: false, offset: 0};

export function quadrantBadge(q) {
  return h('span', {class: ['badge', `q-${q}`]}, t(`quadrant.${q}`));
}

export function tierBadge(tier) {
  return h('span', {class: ['badge', `tier-${tier}`]}, t(`tier.${tier}`));
}

function kpiCard(label, value, detail) {
  return h('div', {class: 'kpi'}, h('span', {class: 'kpi-value'}, value),
    h('span', {class: 'kpi-label'}, label), detail ? h('span', {class: 'kpi-detail'}, detail) : null);
}

async function programmeBlock() {
  const [kpis, tiers] = await Promise.all([api.get('/kpis'), api.get('/tiers')]);
  const cards = h('div', {class: 'kpis'},
    kpiCard(t('kpi.accounts'), fmtNumber(kpis.accounts)),
    kpiCard(t('kpi.keyAccounts'), fmtNumber(kpis.key_accounts)),
    kpiCard(t('kpi.keyRevenueShare'), fmtPercent(kpis.key_revenue_share)),
    kpiCard(t('kpi.keyGrowth'), fmtPercent(kpis.key_growth, 1),
      labelled(t('kpi.restGrowth'), fmtPercent(kpis.rest_growth, 1))),
    kpiCard(t('kpi.withSponsor'), fmtPercent(kpis.share_with_sponsor)),
    kpiCard(t('kpi.fullCoverage'), fmtPercent(kpis.share_full_coverage)),
    kpiCard(t('kpi.maturity'), kpis.maturity ? kpis.maturity.phase : '–',
      kpis.maturity ? kpis.maturity.phase_name : null));
  const all = tiers.summary.find((x) => x.scope === 'all') || tiers.summary[0];
  return h('section', {class: 'card', 'aria-labelledby': 'programme-title'},
    h('h2', {id: 'programme-title'}, t('accounts.programme')),
    h('p', {class: 'muted'}, t('kpi.asOf', {date: fmtDate(kpis.as_of)})),
    cards, all ? tierChart(all) : null);
}

/** A horizontal stacked bar of the tier counts, with the figures also written out. */
function tierChart(summary) {
  const total = TIERS.reduce((n, k) => n + (summary[k] || 0), 0) || 1;
  const width = 600;
  let x = 0;
  const bars = TIERS.map((k) => {
    const w = (summary[k] / total) * width;
    const rect = s('rect', {x: x.toFixed(1), y: '0', width: w.toFixed(1), height: '28', class: `tier-fill-${k}`},
      s('title', null, `${t(`tier.${k}`)}: ${summary[k]}`));
    x += w;
    return rect;
  });
  const svg = s('svg', {viewBox: `0 0 ${width} 28`, class: 'tier-bar', role: 'img',
    'aria-label': TIERS.map((k) => `${t(`tier.${k}`)} ${summary[k]}`).join(', ')}, bars);
  return h('figure', {class: 'tier-figure'}, h('figcaption', null, t('accounts.tiers')), svg,
    h('ul', {class: 'legend'}, TIERS.map((k) => h('li', null,
      h('span', {class: ['swatch', `tier-fill-${k}`], 'aria-hidden': 'true'}), labelled(t(`tier.${k}`), summary[k])))));
}

function filters(onChange) {
  const quadrant = select([['', t('common.all')], ...QUADRANTS.map((q) => [q, t(`quadrant.${q}`)])], {value: state.quadrant});
  const tier = select([['', t('common.all')], ...TIERS.map((k) => [k, t(`tier.${k}`)])], {value: state.tier});
  const selected = h('input', {type: 'checkbox', id: 'acc-selected', checked: state.selected});
  const changed = () => {
    state.quadrant = quadrant.value;
    state.tier = tier.value;
    state.selected = selected.checked;
    state.offset = 0;
    onChange();
  };
  for (const el of [quadrant, tier, selected]) el.addEventListener('change', changed);
  return h('fieldset', {class: 'filters'}, h('legend', null, t('accounts.filters')),
    field(t('accounts.quadrant'), quadrant), field(t('accounts.tier'), tier),
    h('div', {class: 'field check'}, selected, h('label', {for: 'acc-selected'}, t('accounts.selectedOnly'))));
}

function accountTable(page, ctx, reload) {
  if (!page.items.length) return h('p', {class: 'muted'}, t('accounts.none'));
  const cols = ['name', 'segment', 'quadrant', 'tier', 'revenue', 'growth', 'sow', 'potential', 'key'];
  const numeric = new Set(['revenue', 'growth', 'sow', 'potential']);
  const table = h('table', {class: 'data'},
    h('caption', null, t('accounts.table')),
    h('thead', null, h('tr', null, cols.map((c) => h('th', {scope: 'col', class: numeric.has(c) ? 'num' : null}, t(`accounts.col.${c}`))))),
    h('tbody', null, page.items.map((a) => h('tr', null,
      h('th', {scope: 'row'}, h('a', {href: `#/accounts/${encodeURIComponent(a.external_id)}`}, a.name),
        h('small', {class: 'muted'}, ` ${a.external_id}`)),
      h('td', null, a.segment ? humanise(a.segment) : '–'),
      h('td', null, quadrantBadge(a.quadrant)),
      h('td', null, tierBadge(a.tier)),
      h('td', {class: 'num'}, fmtCompact(a.revenue_ttm)),
      h('td', {class: 'num'}, fmtPercent(a.revenue_growth, 1)),
      h('td', {class: 'num'}, fmtPercent(a.share_of_wallet)),
      h('td', {class: 'num'}, fmtCompact(a.potential)),
      h('td', null, a.selected ? t('common.yes') : t('common.no'))))));
  const to = Math.min(page.offset + page.items.length, page.total);
  const pager = h('nav', {class: 'pager', 'aria-label': t('accounts.table')},
    h('button', {type: 'button', disabled: page.offset === 0, on: {click: () => {
      state.offset = Math.max(0, state.offset - PAGE);
      reload();
    }}}, t('common.previous')),
    h('span', {'aria-live': 'polite'}, t('common.page', {from: page.offset + 1, to, total: page.total})),
    h('button', {type: 'button', disabled: to >= page.total, on: {click: () => {
      state.offset += PAGE;
      reload();
    }}}, t('common.next')));
  return h('div', null, h('div', {class: 'table-wrap'}, table), pager);
}

function contributionsChart(contributions) {
  const rows = contributions.filter((c) => c.effective_weight > 0);
  const rowH = 22;
  const width = 560;
  const labelW = 230;
  const max = Math.max(...rows.map((c) => c.effective_weight / 100), 0.01);
  const svg = s('svg', {viewBox: `0 0 ${width} ${rows.length * rowH + 4}`, class: 'bars', role: 'img',
    'aria-label': rows.map((c) => `${c.label}: ${fmtScore(c.contribution)}`).join('; ')},
  rows.map((c, i) => {
    const y = i * rowH + 2;
    const full = ((c.effective_weight / 100) / max) * (width - labelW - 60);
    const got = (c.contribution / max) * (width - labelW - 60);
    return s('g', null,
      s('text', {x: String(labelW - 6), y: String(y + 14), class: 'bar-label', 'text-anchor': 'end'}, c.label),
      s('rect', {x: String(labelW), y: String(y + 3), width: full.toFixed(1), height: '14', class: `bar-bg axis-${c.axis}`}),
      s('rect', {x: String(labelW), y: String(y + 3), width: Math.max(got, 0).toFixed(1), height: '14', class: `bar-fg axis-${c.axis}`}),
      s('text', {x: String(labelW + full + 6), y: String(y + 14), class: 'bar-value'},
        c.missing ? '–' : fmtScore(c.contribution)));
  }));
  return h('figure', null, h('figcaption', null, t('accounts.contributions')), svg,
    h('ul', {class: 'legend'},
      h('li', null, h('span', {class: 'swatch bar-fg axis-attractiveness', 'aria-hidden': 'true'}), t('matrix.col.attr')),
      h('li', null, h('span', {class: 'swatch bar-fg axis-strength', 'aria-hidden': 'true'}), t('matrix.col.strength')),
      h('li', null, h('span', {class: 'swatch bar-bg', 'aria-hidden': 'true'}), t('accounts.weight'))));
}

async function detail(ref, ctx) {
  const body = await api.get(`/accounts/${encodeURIComponent(ref)}`);
  const k = body.kpis;
  const sc = body.score;
  const rows = [
    ['kpi.revenue', fmtCompact(k.revenue_ttm)],
    ['accounts.col.growth', fmtPercent(k.revenue_growth, 1)],
    ['accounts.col.sow', fmtPercent(k.share_of_wallet)],
    ['kpi.margin', k.margin_pct === null ? '–' : `${fmtNumber(k.margin_pct, 1)} %`],
    ['kpi.pipeline', fmtCompact(k.open_pipeline)],
    ['kpi.weightedPipeline', fmtCompact(k.weighted_pipeline)],
    ['kpi.winRate', fmtPercent(k.win_rate)],
    ['kpi.satisfaction', fmtNumber(k.satisfaction, 1)],
    ['kpi.relationship', fmtNumber(k.relationship_stage, 1)],
    ['kpi.coverage', fmtPercent(k.buying_centre.coverage)],
    ['kpi.lastContact', fmtDate(k.last_executive_contact)],
    ['kpi.escalations', fmtNumber(k.open_escalations)],
  ];
  return h('section', {class: 'card account-detail', 'aria-labelledby': 'account-title'},
    h('h2', {id: 'account-title'}, t('accounts.details', {name: k.name}), ' ',
      h('small', {class: 'muted'}, k.external_id)),
    h('p', null, quadrantBadge(sc.quadrant), ' ', tierBadge(body.tier.tier), ' ',
      h('span', {class: 'muted'}, `${t('matrix.col.attr')} ${fmtScore(sc.attractiveness)} · ${t('matrix.col.strength')} ${fmtScore(sc.strength)}`)),
    h('dl', {class: 'kv grid'}, rows.map(([key, value]) => [h('dt', null, t(key)), h('dd', null, value)])),
    h('p', null, h('strong', null, labelled(t('accounts.tierReason'), '')), body.tier.rule_label || body.tier.reason),
    contributionsChart(sc.contributions),
    h('div', {class: 'actions'},
      h('button', {type: 'button', class: 'primary', on: {click: () => ctx.navigate('documents', '', {draft: 'ceb', account: k.external_id})}}, t('accounts.draftCeb')),
      h('button', {type: 'button', on: {click: () => ctx.navigate('matrix', k.external_id)}}, t('accounts.openMatrix'))));
}

export function render(ctx) {
  const portfolio = ['lead', 'admin', 'executive'].includes(ctx.user.role);
  const programme = h('div');
  const detailBox = h('div', {class: 'detail-slot'});
  const list = h('div');
  const reload = async () => {
    replace(list, loading());
    try {
      const page = await api.get('/accounts', {offset: state.offset, limit: PAGE, quadrant: state.quadrant,
        tier: state.tier, selected: state.selected ? 'true' : ''});
      replace(list, accountTable(page, ctx, reload));
    } catch (error) {
      replace(list, errorBox(error));
    }
  };
  const page = h('div', {class: 'accounts-page'},
    h('h1', null, t('accounts.title')), detailBox, programme,
    h('section', {class: 'card', 'aria-label': t('accounts.table')}, filters(reload), list));
  if (ctx.arg) {
    replace(detailBox, loading());
    detail(ctx.arg, ctx).then((node) => {
      replace(detailBox, node);
      node.querySelector('h2').setAttribute('tabindex', '-1');
      node.querySelector('h2').focus();
    }, (error) => replace(detailBox, errorBox(error)));
  }
  if (portfolio) {
    replace(programme, loading());
    programmeBlock().then((node) => replace(programme, node), (error) => replace(programme, errorBox(error)));
  }
  reload();
  return page;
}

export function reset() {
  Object.assign(state, {quadrant: '', tier: '', selected: false, offset: 0});
}
