'use strict';
// A `wx` object for Node with the parts the mini-program uses. wx.request does real HTTP(S)
// (one connection per request, the simulator's CA trusted), with WeChat's callback shapes:
// success({statusCode, data, header, errMsg}) for any HTTP answer, fail({errMsg:
// 'request:fail …'}) for a network error. wx.login plays the WeChat client through the
// simulator's POST /sandbox/login. wx.requestPayment, wx.showModal and navigation are recorded
// and answered by the test's handlers. wx.getAccountInfoSync says which build this is
// (`envVersion`: devtools run 'develop', the default).
const http = require('node:http');
const https = require('node:https');

function later(fn, arg) {
  if (typeof fn === 'function') setImmediate(fn, arg);
}

function queryString(data) {
  return Object.entries(data)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/**
 * @param {object} o
 * @param {string} o.sandboxUrl  the simulator (for wx.login)
 * @param {Buffer} o.ca          the simulator's CA
 * @param {(opts: object, wx: object) => void} [o.requestPayment]  plays the payment sheet
 * @param {(opts: object) => {confirm: boolean}} [o.showModal]     the user's answer (default confirm)
 * @param {(opts: object) => object} [o.beforeRequest]  may change a request before it is sent
 * @param {'develop' | 'trial' | 'release'} [o.envVersion]  the build (default develop)
 */
function createWx({ sandboxUrl, ca, requestPayment, showModal, beforeRequest, envVersion = 'develop' } = {}) {
  const storage = new Map();
  const calls = { request: [], login: 0, requestPayment: [], showModal: [], showToast: [], navigateTo: [], redirectTo: [], navigateBack: 0 };

  function request(opts) {
    if (beforeRequest) opts = beforeRequest(opts) || opts;
    const method = (opts.method || 'GET').toUpperCase();
    const u = new URL(opts.url);
    let body;
    if (opts.data !== undefined && opts.data !== null) {
      if (method === 'GET') {
        const q = queryString(opts.data);
        if (q) u.search += (u.search ? '&' : '') + q;
      } else body = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data);
    }
    const record = { url: u.toString(), method, data: opts.data, header: { ...opts.header } };
    calls.request.push(record);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, { method, headers: opts.header || {}, ca, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let data = text;
        try {
          data = JSON.parse(text);
        } catch {
          // dataType 'json' (the default) parses when it parses; otherwise wx.request hands the text.
        }
        record.statusCode = res.statusCode;
        record.response = data;
        later(opts.success, { statusCode: res.statusCode, data, header: res.headers, errMsg: 'request:ok' });
        later(opts.complete);
      });
      res.on('error', fail);
    });
    let failed = false;
    function fail(err) {
      if (failed) return;
      failed = true;
      record.error = err.code || err.message;
      later(opts.fail, { errMsg: `request:fail ${err.code || err.message}` });
      later(opts.complete);
    }
    if (opts.timeout) req.setTimeout(opts.timeout, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', fail);
    req.end(body);
    return { abort: () => req.destroy() };
  }

  const wx = {
    request,
    login(opts) {
      calls.login++;
      request({
        url: sandboxUrl + '/sandbox/login',
        method: 'POST',
        data: {},
        header: { 'content-type': 'application/json' },
        success: (res) => (res.statusCode === 200 ? later(opts.success, { code: res.data.code, errMsg: 'login:ok' }) : later(opts.fail, { errMsg: 'login:fail' })),
        fail: (err) => later(opts.fail, { errMsg: 'login:fail ' + err.errMsg }),
      });
    },
    requestPayment(opts) {
      calls.requestPayment.push(opts);
      if (!requestPayment) throw new Error('wx.requestPayment called but the test gave no handler');
      requestPayment(opts, wx);
    },
    showModal(opts) {
      calls.showModal.push(opts);
      const answer = showModal ? showModal(opts) : { confirm: true };
      later(opts.success, { confirm: !!answer.confirm, cancel: !answer.confirm, errMsg: 'showModal:ok' });
    },
    getAccountInfoSync: () => ({ miniProgram: { appId: 'wx0000000000000000', envVersion, version: '' } }),
    getStorageSync: (k) => (storage.has(k) ? structuredClone(storage.get(k)) : ''),
    setStorageSync: (k, v) => void storage.set(k, structuredClone(v)),
    removeStorageSync: (k) => void storage.delete(k),
    showToast: (o) => void calls.showToast.push(o),
    showLoading() {},
    hideLoading() {},
    stopPullDownRefresh() {},
    navigateTo: (o) => void calls.navigateTo.push(o.url),
    redirectTo: (o) => void calls.redirectTo.push(o.url),
    navigateBack: () => void calls.navigateBack++,
  };
  return { wx, calls, storage };
}

/** A payment sheet where the user pays: what the WeChat client does, through the simulator. */
function payThroughSimulator(sandboxUrl) {
  return (opts, wx) => {
    const { success, fail, complete, ...params } = opts;
    wx.request({
      url: sandboxUrl + '/sandbox/requestPayment',
      method: 'POST',
      data: params,
      header: { 'content-type': 'application/json' },
      success: (res) =>
        res.data && res.data.errMsg === 'requestPayment:ok' ? later(success, { errMsg: 'requestPayment:ok' }) : later(fail, { errMsg: res.data.errMsg }),
      fail: (err) => later(fail, { errMsg: 'requestPayment:fail ' + err.errMsg }),
    });
  };
}

module.exports = { createWx, payThroughSimulator };
