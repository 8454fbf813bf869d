// Build DOM nodes from data without ever parsing HTML: text goes in as text nodes only.

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttributes(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'on') {
      for (const [type, handler] of Object.entries(value)) el.addEventListener(type, handler);
    } else if (name === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (name === 'dataset') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else if (name === 'text') {
      el.textContent = String(value);
    } else if (name === 'style' || name.startsWith('on')) {
      // The Content-Security-Policy forbids inline styles and handlers: fail loudly in development.
      throw new Error(`attribute ${name} is not allowed; use classes and listeners`);
    } else if (name === 'value' || name === 'checked' || name === 'selected' || name === 'disabled') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Create an HTML element: h('button', {class: 'x', on: {click}}, 'Label'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/** Create an SVG element with attributes set through setAttribute. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/** Replace every child of an element. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** Return a fresh id for label/for and aria pairs. */
export function nextId(prefix = 'k') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field: the label, the control and an optional hint. */
export function field(label, control, hint) {
  if (!control.id) control.id = nextId('f');
  const parts = [h('label', {for: control.id}, label), control];
  if (hint) {
    const hintId = nextId('hint');
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('small', {id: hintId, class: 'hint'}, hint));
  }
  return h('div', {class: 'field'}, parts);
}

/** A select built from [value, label] pairs. */
export function select(options, attrs = {}) {
  const el = h('select', attrs);
  for (const [value, label] of options) el.append(h('option', {value}, label));
  if (attrs.value !== undefined) el.value = attrs.value;
  return el;
}
