// The portfolio matrix: attractiveness x relative strength, bubble area = potential.
// Built with createElementNS; every bubble is reachable by keyboard and has a table twin.

import {h, s, replace, field, select} from '../dom.js';
import * as api from '../api.js';
import {t, labelled, fmtCompact, fmtScore, fmtPercent, fmtNumber} from '../i18n.js';
import {errorBox, loading} from '../ui.js';
import {quadrantBadge, tierBadge} from './accounts.js';

const QUADRANTS = ['strategic', 'star', 'status', 'streamline'];
const TIERS = ['gold', 'silver', 'bronze'];
const W = 760;
const H = 560;
const M = {left: 72, right: 24, top: 24, bottom: 64};
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const R_MAX = 22;
const R_MIN = 2.5;

const state = {accounts: null, segmentation: undefined, tier: '', keyOnly: false};

async function fetchAll() {
  const items = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api.get('/accounts', {offset, limit: 500});
    items.push(...page.items);
    if (items.length >= page.total || !page.items.length) break;
  }
  return items;
}

/** The quadrant threshold of an axis: the programme's (0.5 by default) if the data agree. */
export function threshold(accounts, axis, highQuadrants) {
  let maxLow = -Infinity;
  let minHigh = Infinity;
  for (const a of accounts) {
    const v = a[axis];
    if (highQuadrants.includes(a.quadrant)) minHigh = Math.min(minHigh, v);
    else maxLow = Math.max(maxLow, v);
  }
  if (maxLow < 0.5 && minHigh >= 0.5) return 0.5;
  if (Number.isFinite(minHigh) && Number.isFinite(maxLow)) return (maxLow + minHigh) / 2;
  return 0.5;
}

const xOf = (strength) => M.left + Math.min(Math.max(strength, 0), 1) * PW;
const yOf = (attr) => M.top + (1 - Math.min(Math.max(attr, 0), 1)) * PH;

function bubbleLabel(a) {
  return t('matrix.bubble', {
    name: a.name, quadrant: t(`quadrant.${a.quadrant}`), attr: fmtScore(a.attractiveness),
    strength: fmtScore(a.strength),
    potential: a.potential === null ? t('matrix.noPotential') : fmtCompact(a.potential),
    tier: t(`tier.${a.tier}`),
  });
}

function frame(ta, ts) {
  const group = s('g', {class: 'frame'});
  const cells = [
    ['star', 0, ts, ta, 1],
    ['strategic', ts, 1, ta, 1],
    ['streamline', 0, ts, 0, ta],
    ['status', ts, 1, 0, ta],
  ];
  for (const [q, x0, x1, y0, y1] of cells) {
    group.append(s('rect', {x: xOf(x0).toFixed(1), y: yOf(y1).toFixed(1), width: (xOf(x1) - xOf(x0)).toFixed(1),
      height: (yOf(y0) - yOf(y1)).toFixed(1), class: `cell cell-${q}`}));
  }
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    group.append(
      s('line', {x1: xOf(v), x2: xOf(v), y1: yOf(0), y2: yOf(1), class: 'grid'}),
      s('line', {x1: xOf(0), x2: xOf(1), y1: yOf(v), y2: yOf(v), class: 'grid'}),
      s('text', {x: xOf(v), y: yOf(0) + 18, class: 'tick', 'text-anchor': 'middle'}, fmtNumber(v, 2)),
      s('text', {x: xOf(0) - 8, y: yOf(v) + 4, class: 'tick', 'text-anchor': 'end'}, fmtNumber(v, 2)));
  }
  group.append(
    s('line', {x1: xOf(ts), x2: xOf(ts), y1: yOf(0), y2: yOf(1), class: 'divider'}),
    s('line', {x1: xOf(0), x2: xOf(1), y1: yOf(ta), y2: yOf(ta), class: 'divider'}),
    s('text', {x: M.left + PW / 2, y: H - 16, class: 'axis-label', 'text-anchor': 'middle'}, `${t('matrix.xAxis')} →`),
    s('text', {x: 0, y: 0, class: 'axis-label', 'text-anchor': 'middle',
      transform: `translate(20 ${M.top + PH / 2}) rotate(-90)`}, `${t('matrix.yAxis')} →`));
  const names = [
    ['star', xOf(0) + 10, yOf(1) + 20, 'start'],
    ['strategic', xOf(1) - 10, yOf(1) + 20, 'end'],
    ['streamline', xOf(0) + 10, yOf(0) - 24, 'start'],
    ['status', xOf(1) - 10, yOf(0) - 24, 'end'],
  ];
  for (const [q, x, y, anchor] of names) {
    group.append(s('text', {x, y, class: `quadrant-name qn-${q}`, 'text-anchor': anchor}, t(`quadrant.${q}`)),
      s('text', {x, y: y + 15, class: 'quadrant-action', 'text-anchor': anchor}, t(`quadrant.${q}.action`)));
  }
  return group;
}

function tooltipLayer() {
  const bg = s('rect', {class: 'tip-bg', rx: '6', ry: '6'});
  const text = s('text', {class: 'tip-text'});
  const group = s('g', {class: 'tooltip', visibility: 'hidden', 'aria-hidden': 'true'}, bg, text);
  function show(a, cx, cy, r) {
    const lines = [
      [a.name, 'tip-title'],
      [`${t(`quadrant.${a.quadrant}`)} · ${t(`tier.${a.tier}`)}`, ''],
      [labelled(t('matrix.col.attr'), fmtScore(a.attractiveness)), ''],
      [labelled(t('matrix.col.strength'), fmtScore(a.strength)), ''],
      [labelled(t('matrix.potential'), a.potential === null ? t('matrix.noPotential') : fmtCompact(a.potential)), ''],
      [labelled(t('accounts.col.revenue'), fmtCompact(a.revenue_ttm)), ''],
    ];
    replace(text, lines.map(([line, cls], i) => s('tspan', {x: '10', dy: i ? '17' : '18', class: cls || null}, line)));
    group.setAttribute('visibility', 'visible');
    const box = text.getBBox();
    const width = box.width + 20;
    const height = lines.length * 17 + 12;
    bg.setAttribute('width', width.toFixed(1));
    bg.setAttribute('height', String(height));
    let x = cx + r + 10;
    if (x + width > W - 4) x = cx - r - 10 - width;
    const y = Math.min(Math.max(cy - height / 2, 4), H - height - 4);
    group.setAttribute('transform', `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
  }
  function hide() {
    group.setAttribute('visibility', 'hidden');
  }
  return {group, show, hide};
}

function plot(accounts, ctx) {
  const ta = threshold(accounts, 'attractiveness', ['strategic', 'star']);
  const ts = threshold(accounts, 'strength', ['strategic', 'status']);
  const pmax = Math.max(1, ...accounts.map((a) => a.potential || 0));
  const tip = tooltipLayer();
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, class: 'matrix', role: 'group',
    'aria-labelledby': 'matrix-caption', 'aria-describedby': 'matrix-keys'});
  svg.append(frame(ta, ts));
  const layer = s('g', {class: 'bubbles', role: 'list'});
  svg.append(layer, tip.group);
  const items = accounts.map((a) => {
    const r = a.potential ? Math.max(R_MIN, R_MAX * Math.sqrt(a.potential / pmax)) : 3;
    return {a, r, cx: xOf(a.strength), cy: yOf(a.attractiveness)};
  });
  // Large bubbles first so that small ones stay visible and clickable on top.
  items.sort((p, q) => q.r - p.r);
  const byX = [...items].sort((p, q) => p.cx - q.cx || q.cy - p.cy);
  const byY = [...items].sort((p, q) => q.cy - p.cy || p.cx - q.cx);
  let active = items.find((it) => it.a.external_id === ctx.arg) || byX[0];
  for (const it of items) {
    const circle = s('circle', {cx: it.cx.toFixed(1), cy: it.cy.toFixed(1), r: it.r.toFixed(1),
      class: ['dot', `tier-fill-${it.a.tier}`, it.a.potential ? null : 'no-potential', it.a.selected ? 'key' : null]});
    it.node = s('g', {class: ['bubble', it.a.external_id === ctx.arg ? 'highlight' : null], role: 'listitem',
      tabindex: it === active ? '0' : '-1', 'aria-label': bubbleLabel(it.a), dataset: {account: it.a.external_id}}, circle);
    const show = () => tip.show(it.a, it.cx, it.cy, it.r);
    it.node.addEventListener('mouseenter', show);
    it.node.addEventListener('mouseleave', () => { if (document.activeElement !== it.node) tip.hide(); });
    it.node.addEventListener('focus', () => {
      active.node.setAttribute('tabindex', '-1');
      active = it;
      it.node.setAttribute('tabindex', '0');
      show();
    });
    it.node.addEventListener('blur', tip.hide);
    it.node.addEventListener('click', () => ctx.navigate('accounts', it.a.external_id));
    layer.append(it.node);
  }
  svg.addEventListener('keydown', (event) => {
    if (!active) return;
    const move = (list, step) => {
      const i = list.indexOf(active);
      return list[Math.min(Math.max(i + step, 0), list.length - 1)];
    };
    let next = null;
    switch (event.key) {
      case 'ArrowRight': next = move(byX, 1); break;
      case 'ArrowLeft': next = move(byX, -1); break;
      case 'ArrowUp': next = move(byY, -1); break;
      case 'ArrowDown': next = move(byY, 1); break;
      case 'Home': next = byX[0]; break;
      case 'End': next = byX[byX.length - 1]; break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        ctx.navigate('accounts', active.a.external_id);
        return;
      case 'Escape': tip.hide(); return;
      default: return;
    }
    event.preventDefault();
    if (next) next.node.focus();
  });
  return {svg, focusHighlight: () => {
    const it = items.find((x) => x.a.external_id === ctx.arg);
    if (it) it.node.focus();
  }};
}

function legend(accounts) {
  const pmax = Math.max(1, ...accounts.map((a) => a.potential || 0));
  const sizes = [pmax, pmax / 4, pmax / 16];
  // Reference bubbles on a common baseline, each labelled with the potential it stands for.
  const sizeSvg = s('svg', {viewBox: '0 0 210 70', class: 'size-legend', 'aria-hidden': 'true'},
    sizes.map((p, i) => {
      const r = R_MAX * Math.sqrt(p / pmax);
      const cx = [26, 98, 160][i];
      return s('g', null, s('circle', {cx, cy: (48 - r).toFixed(1), r: r.toFixed(1), class: 'legend-dot'}),
        s('text', {x: cx, y: '64', class: 'tick', 'text-anchor': 'middle'}, fmtCompact(p)));
    }));
  return h('div', {class: 'legend-box'},
    h('h2', {class: 'h3'}, t('matrix.legend')),
    h('ul', {class: 'legend'}, TIERS.map((k) => h('li', null,
      h('span', {class: ['swatch', `tier-fill-${k}`], 'aria-hidden': 'true'}), t(`tier.${k}`))),
    h('li', null, h('span', {class: 'swatch key-swatch', 'aria-hidden': 'true'}), t('matrix.keyOutline'))),
    h('p', {class: 'muted'}, t('matrix.size')), sizeSvg);
}

function dataTable(accounts) {
  const order = [...accounts].sort((p, q) =>
    QUADRANTS.indexOf(p.quadrant) - QUADRANTS.indexOf(q.quadrant) || q.attractiveness - p.attractiveness);
  return h('details', {class: 'table-alt'},
    h('summary', null, t('matrix.asTable')),
    h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
      h('caption', null, t('matrix.figure', {count: accounts.length})),
      h('thead', null, h('tr', null,
        h('th', {scope: 'col'}, t('accounts.col.name')), h('th', {scope: 'col'}, t('accounts.col.quadrant')),
        h('th', {scope: 'col', class: 'num'}, t('matrix.col.attr')), h('th', {scope: 'col', class: 'num'}, t('matrix.col.strength')),
        h('th', {scope: 'col', class: 'num'}, t('accounts.col.potential')), h('th', {scope: 'col'}, t('accounts.col.tier')),
        h('th', {scope: 'col'}, t('accounts.col.key')))),
      h('tbody', null, order.map((a) => h('tr', null,
        h('th', {scope: 'row'}, h('a', {href: `#/accounts/${encodeURIComponent(a.external_id)}`}, a.name)),
        h('td', null, quadrantBadge(a.quadrant)),
        h('td', {class: 'num'}, fmtScore(a.attractiveness)), h('td', {class: 'num'}, fmtScore(a.strength)),
        h('td', {class: 'num'}, fmtCompact(a.potential)), h('td', null, tierBadge(a.tier)),
        h('td', null, a.selected ? t('common.yes') : t('common.no'))))))));
}

function quadrantCounts(accounts, segmentation) {
  const counts = segmentation?.quadrants || Object.fromEntries(QUADRANTS.map((q) => [q, accounts.filter((a) => a.quadrant === q).length]));
  return h('table', {class: 'data compact'}, h('caption', null, t('matrix.quadrantCounts')),
    h('tbody', null, QUADRANTS.map((q) => h('tr', null, h('th', {scope: 'row'}, quadrantBadge(q)),
      h('td', {class: 'num'}, fmtNumber(counts[q] ?? 0))))));
}

function segmentsTable(segmentation) {
  if (!segmentation || !segmentation.segments?.length) return null;
  return h('section', {class: 'card segments'}, h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
    h('caption', null, t('matrix.segments')),
    h('thead', null, h('tr', null, ['rank', 'segment', 'fit', 'accounts', 'potentialShare', 'strategic'].map((c) =>
      h('th', {scope: 'col', class: ['fit', 'accounts', 'potentialShare'].includes(c) ? 'num' : null}, t(`matrix.col.${c}`))))),
    h('tbody', null, segmentation.segments.map((g) => h('tr', null,
      h('td', null, String(g.rank)), h('th', {scope: 'row'}, g.name),
      h('td', {class: 'num'}, fmtNumber(g.value_proposition_fit, 1)), h('td', {class: 'num'}, fmtNumber(g.accounts)),
      h('td', {class: 'num'}, fmtPercent(g.potential_share)), h('td', null, g.strategic ? t('common.yes') : t('common.no'))))))));
}

function content(ctx) {
  const tier = select([['', t('common.all')], ...TIERS.map((k) => [k, t(`tier.${k}`)])], {value: state.tier});
  const keyOnly = h('input', {type: 'checkbox', id: 'matrix-key', checked: state.keyOnly});
  const slot = h('div', {class: 'matrix-slot'});
  const draw = () => {
    const shown = state.accounts.filter((a) => (!state.tier || a.tier === state.tier) && (!state.keyOnly || a.selected));
    const {svg, focusHighlight} = plot(shown, ctx);
    replace(slot,
      h('figure', {class: 'matrix-figure'},
        h('figcaption', {id: 'matrix-caption'}, t('matrix.figure', {count: shown.length})), svg,
        h('p', {id: 'matrix-keys', class: 'muted small'}, t('matrix.keyboard'))),
      dataTable(shown));
    return focusHighlight;
  };
  const onChange = () => {
    state.tier = tier.value;
    state.keyOnly = keyOnly.checked;
    draw();
  };
  tier.addEventListener('change', onChange);
  keyOnly.addEventListener('change', onChange);
  const focusHighlight = draw();
  const side = h('aside', {class: 'matrix-side'}, legend(state.accounts),
    h('div', {class: 'legend-box'}, quadrantCounts(state.accounts, state.segmentation)));
  const node = h('div', null,
    h('fieldset', {class: 'filters'}, h('legend', null, t('accounts.filters')), field(t('accounts.tier'), tier),
      h('div', {class: 'field check'}, keyOnly, h('label', {for: 'matrix-key'}, t('accounts.selectedOnly')))),
    h('div', {class: 'matrix-layout'}, slot, side), segmentsTable(state.segmentation));
  if (ctx.arg) queueMicrotask(focusHighlight);
  return node;
}

export function render(ctx) {
  const body = h('div');
  const page = h('div', {class: 'matrix-page'}, h('h1', null, t('matrix.title')),
    h('p', {class: 'muted'}, t('matrix.intro')), body);
  if (state.accounts) {
    body.append(content(ctx));
    return page;
  }
  replace(body, loading());
  const segmentation = api.get('/segmentation').catch(() => null);
  fetchAll().then(async (accounts) => {
    state.accounts = accounts;
    state.segmentation = await segmentation;
    replace(body, content(ctx));
  }, (error) => replace(body, errorBox(error)));
  return page;
}

/** Forget the loaded accounts (after a sign-out, another user may see other accounts). */
export function reset() {
  state.accounts = null;
  state.segmentation = undefined;
}
