'use strict';
// Renders a page's real WXML with WeChat's miniprogram-simulate: the templates are compiled by
// WeChat's own WXML compiler (wcc, shipped in miniprogram-compiler) and rendered by j-component
// into a jsdom document, so every binding, wx:if / wx:elif and wx:for runs on the page's data.
// miniprogram-simulate renders custom components; a page is loaded as the top-level component
// it is (its options become the component's data and methods), as the tool's authors advise.
// The test calls the lifecycle (onLoad, onShow, onUnload) itself and taps rendered elements;
// `wx` is the test's shim (support/wx.js), so the page talks to the real server.
const path = require('node:path');
const fs = require('node:fs');
const { JSDOM } = require('jsdom');
const { ROOT } = require('./miniprogram');

const { window } = new JSDOM('<!doctype html><html><head></head><body></body></html>');
// What j-component and miniprogram-simulate read from the global scope of a browser.
for (const name of ['window', 'document', 'Node', 'Element', 'HTMLElement', 'Event', 'CustomEvent', 'MutationObserver']) {
  globalThis[name] = name === 'window' ? window : window[name];
}
// miniprogram-simulate replaces `wx` with its own stubs when it loads; the test's shim is put
// back by useWx() before each render (support/miniprogram.js).
const shim = globalThis.wx;
const simulate = require('miniprogram-simulate');
globalThis.wx = shim;

// miniprogram-simulate stands in for the built-in components with a bare <slot/>, which drops
// their attributes. These get the properties the pages bind, so a test can read what a
// `disabled="{{…}}"` or `checked="{{…}}"` evaluated to (`el.data.disabled`).
const BUILT_IN_PROPERTIES = {
  button: { disabled: Boolean, loading: Boolean, type: String, size: String },
  radio: { value: String, checked: Boolean },
};
for (const [name, props] of Object.entries(BUILT_IN_PROPERTIES)) {
  const properties = Object.fromEntries(Object.entries(props).map(([k, type]) => [k, { type }]));
  simulate.load({ id: name, tagName: `wx-${name}`, template: '<slot/>', properties });
}

// wcc compiles the whole project's WXML at once: the pages of app.json, nothing under test/.
const pages = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')).pages;
const compilerOptions = { wxmlList: pages.map((p) => `${p}.wxml`) };

/** The text of a rendered node as a reader takes it in: each piece of text once, spaces between. */
function textOf(node) {
  const parts = [];
  const walker = window.document.createTreeWalker(node, window.NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const t = walker.currentNode.nodeValue.replace(/\s+/g, ' ').trim();
    if (t) parts.push(t);
  }
  return parts.join(' ');
}

/** A Page() options object as a Component definition: data stays data, functions become methods. */
function asComponent(options) {
  const methods = {};
  for (const [k, v] of Object.entries(options)) if (typeof v === 'function') methods[k] = v;
  return { data: structuredClone(options.data || {}), methods };
}

/**
 * Loads and renders `route` (e.g. 'pages/order/order').
 * @returns {{page: any, comp: any, text: () => string, all: (selector: string) => any[], one: (selector: string) => any}}
 *   page: the instance (call onLoad etc. on it); text(): the rendered text (textOf);
 *   one/all: rendered elements by selector (`.dom` is the jsdom node, `.dispatchEvent('tap')` taps
 *   it through its bindtap, `.data` holds a built-in's bound properties, e.g. `.data.disabled`).
 */
function renderPage(route) {
  const pageCtor = globalThis.Page;
  globalThis.Page = (options) => globalThis.Component(asComponent(options));
  let id;
  try {
    id = simulate.load(path.join(ROOT, route), { rootPath: ROOT, compilerOptions });
  } finally {
    globalThis.Page = pageCtor;
  }
  const comp = simulate.render(id);
  comp.attach(window.document.createElement('parent-wrapper'));
  return {
    page: comp.instance,
    comp,
    text: () => textOf(comp.dom),
    all: (selector) => comp.querySelectorAll(selector),
    one: (selector) => comp.querySelector(selector),
  };
}

module.exports = { renderPage, textOf };
