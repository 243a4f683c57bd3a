'use strict';
// Loads the real mini-program code in Node: installs the globals WeChat provides (`wx`,
// `App`, `Page`, `getApp`), requires app.js or a page's .js file afresh, captures the options
// object passed to App()/Page(), and makes a page instance whose setData merges like
// WeChat's (including 'a.b' and 'a[0].b' paths). Handlers are called directly by the tests.
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const config = require(path.join(ROOT, 'config.js'));

let captured = null;
let app = null;
globalThis.App = (options) => {
  captured = options;
};
globalThis.Page = (options) => {
  captured = options;
};
globalThis.getApp = () => app;

function useWx(wx) {
  globalThis.wx = wx;
}

function loadOptions(file) {
  const full = path.join(ROOT, file);
  delete require.cache[require.resolve(full)];
  captured = null;
  require(full);
  if (!captured) throw new Error(`${file} did not call App() or Page()`);
  return captured;
}

function setPath(target, key, value) {
  const parts = key.match(/[^.[\]]+/g);
  let o = target;
  for (let i = 0; i < parts.length - 1; i++) {
    if (o[parts[i]] === undefined || o[parts[i]] === null) o[parts[i]] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    o = o[parts[i]];
  }
  o[parts[parts.length - 1]] = value;
}

function instance(options, route) {
  const page = { route, setDataCalls: [] };
  for (const [k, v] of Object.entries(options)) page[k] = k === 'data' ? structuredClone(v) : v;
  page.setData = function setData(patch, cb) {
    page.setDataCalls.push(structuredClone(patch));
    for (const [k, v] of Object.entries(patch)) setPath(page.data, k, structuredClone(v));
    if (cb) cb();
  };
  return page;
}

/** app.js's App() options as the app instance (getApp() returns it). */
function launchApp() {
  app = instance(loadOptions('app.js'), 'app');
  return app;
}

/** A page instance, e.g. loadPage('pages/confirm/confirm'); call its onLoad yourself. */
function loadPage(route) {
  return instance(loadOptions(route + '.js'), route);
}

/** The options object as passed to Page(), for static checks. */
function pageOptions(route) {
  return loadOptions(route + '.js');
}

module.exports = { ROOT, config, useWx, launchApp, loadPage, pageOptions };
