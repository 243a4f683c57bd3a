'use strict';
// The mini-program is one WeChat devtools can open, and its templates are honest: every page in
// app.json has its four files, every event a WXML binds is a handler of that page, every
// top-level name a WXML reads is in the page's data, and nothing secret is in the code.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const mp = require('./support/miniprogram');

const ROOT = mp.ROOT;
const read = (f) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const appJson = JSON.parse(read('app.json'));

test('project files parse and name each other', () => {
  const project = JSON.parse(read('project.config.json'));
  assert.equal(project.compileType, 'miniprogram');
  assert.equal(project.cloudfunctionRoot, 'cloudfunctions/');
  assert.ok(fs.existsSync(path.join(ROOT, project.cloudfunctionRoot, 'payNotify', 'index.js')));
  JSON.parse(read(appJson.sitemapLocation));
  for (const f of ['app.js', 'app.wxss']) assert.ok(fs.existsSync(path.join(ROOT, f)), f);
});

test('the test tooling never ships: test/ is left out of the upload, and no package.json is at the root', () => {
  const project = JSON.parse(read('project.config.json'));
  assert.ok(project.packOptions.ignore.some((i) => i.type === 'folder' && i.value === 'test'));
  // The devtools' 「构建 npm」 reads a package.json at the mini-program's root; the tooling's is in test/.
  assert.equal(fs.existsSync(path.join(ROOT, 'package.json')), false);
  assert.ok(fs.existsSync(path.join(ROOT, 'test', 'package-lock.json')));
});

// Names a WXML expression may use that are not page data.
const SCOPE = new Set(['item', 'index', 'true', 'false', 'null', 'undefined']);

function expressionNames(expr) {
  const noStrings = expr.replace(/'[^']*'|"[^"]*"/g, '');
  return [...noStrings.matchAll(/(?<![.\w$])([A-Za-z_$][\w$]*)/g)].map((m) => m[1]);
}

for (const route of appJson.pages) {
  test(`${route}: files, bound handlers and data`, () => {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) assert.ok(fs.existsSync(path.join(ROOT, `${route}.${ext}`)), `${route}.${ext}`);
    JSON.parse(read(`${route}.json`));
    const options = mp.pageOptions(route);
    const wxml = read(`${route}.wxml`);

    const handlers = [...wxml.matchAll(/\b(?:bind|catch)(?::)?\w+="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(handlers.length > 0);
    for (const h of handlers) assert.equal(typeof options[h], 'function', `${route}.wxml binds ${h}`);

    const names = new Set();
    for (const m of wxml.matchAll(/\{\{([^}]+)\}\}/g)) for (const n of expressionNames(m[1])) names.add(n);
    for (const n of names) if (!SCOPE.has(n)) assert.ok(n in options.data, `${route}.wxml reads ${n}, not in data`);
  });
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return ['test', 'node_modules', 'wxpay'].includes(d.name) ? [] : walk(p);
    return [p];
  });
}

test('no secret and no price arithmetic in the mini-program or the cloud functions', () => {
  for (const file of walk(ROOT).filter((f) => /\.(js|json|wxml)$/.test(f))) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(ROOT, file);
    // An API key or AppSecret is 32 hex/alphanumeric characters; none may appear in source.
    assert.doesNotMatch(text, /['"][0-9A-Za-z]{32}['"]/, `${rel} holds something shaped like a key`);
    assert.doesNotMatch(text, /\b(secret|api_?key)\s*[:=]\s*['"][^'"]+['"]/i, `${rel} assigns a secret`);
    if (!rel.startsWith('cloudfunctions')) {
      assert.doesNotMatch(text, /price_fen\s*\*|\*\s*quantity|total_fee\s*[:=][^=]/, `${rel} computes a price`);
      // utils/money.js alone turns fen into yuan, by exact integer division.
      if (rel !== path.join('utils', 'money.js')) assert.doesNotMatch(text, /\/\s*100\b|\*\s*0?\.01/, `${rel} divides an amount`);
    }
  }
});
