'use strict';
// Many payers at once in one Node process, each with a wx shim of its own (storage, login
// token, recorded calls), as many phones would be. The mini-program code reads the global `wx`
// when it calls it; here that global routes each call to the shim of the payer whose work is
// running (AsyncLocalStorage follows every callback and promise started inside `run`).
const { AsyncLocalStorage } = require('node:async_hooks');
const { createWx } = require('./wx');
const mp = require('./miniprogram');

const current = new AsyncLocalStorage();
const routed = new Proxy(
  {},
  {
    get(_, name) {
      const payer = current.getStore();
      if (!payer) throw new Error(`wx.${String(name)} called outside a payer's run()`);
      return payer.wx[name];
    },
  },
);

/**
 * `n` payers on the simulator at `sandboxUrl`; `wxOptions` go to each createWx (e.g. the
 * payment sheet). Each payer: `{shim, run(fn)}`; the mini-program code called inside `run`
 * sees that payer's `wx`.
 */
function createPayers(n, wxOptions) {
  mp.useWx(routed);
  return Array.from({ length: n }, () => {
    const shim = createWx(wxOptions);
    return { shim, run: (fn) => current.run(shim, fn), token: () => shim.storage.get('wxpay.session').token };
  });
}

module.exports = { createPayers };
