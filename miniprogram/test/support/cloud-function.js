'use strict';
// "Deploys" a cloud function the way the devtools upload it: its folder copied as it is in the
// repository (with the committed copy of pkg/ in wxpay/, which `require('./wxpay/notify')`
// loads) into a temporary directory; `require('wx-server-sdk')` is answered by the fake. Each
// load is fresh (the module reads its environment variables on first use).
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const sdk = require('./fake-wx-server-sdk');

const MP = path.join(__dirname, '..', '..');
const FAKE_SDK = require.resolve('./fake-wx-server-sdk');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'wx-server-sdk' ? FAKE_SDK : resolve.call(this, request, ...rest);
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-cloudfunctions-'));
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

/** @returns {{main: (event: any, context: any) => Promise<any>, dir: string}} */
function deploy(name, db) {
  const dir = path.join(root, `${name}-${++n}`);
  // node_modules is what "云端安装依赖" installs in the cloud, so it is not uploaded.
  fs.cpSync(path.join(MP, 'cloudfunctions', name), dir, { recursive: true, filter: (src) => !/[\\/]node_modules$/.test(src) });
  sdk.__setDatabase(db);
  const fn = require(path.join(dir, 'index.js'));
  return { main: fn.main, dir };
}

/**
 * Runs `fn` with console.info, console.warn and console.error collected, to read what the
 * function logged: `lines` the text, `entries` each with its level.
 */
async function captureLogs(fn) {
  const lines = [];
  const entries = [];
  const saved = { info: console.info, warn: console.warn, error: console.error };
  for (const level of Object.keys(saved)) {
    console[level] = (...args) => {
      lines.push(args.join(' '));
      entries.push({ level, line: args.join(' ') });
    };
  }
  try {
    return { result: await fn(), lines, entries };
  } finally {
    Object.assign(console, saved);
  }
}

module.exports = { deploy, sdk, captureLogs };
