// 小程序访问服务端的唯一入口：基础地址来自 config.js，带上登录令牌，把错误统一成 ApiError，
// 只在网络错误时重试（且只重试可安全重复的请求），令牌失效（401）时重新登录一次再试。
// The one way the mini-program talks to the server: base URL from config.js, the bearer token,
// errors mapped to ApiError, retries on network errors only (and only for requests that are
// safe to repeat), and on 401 one fresh login and one more try.
const config = require('../config');
const session = require('./session');
const { ApiError, NETWORK, fromResponse, fromNetwork } = require('./errors');

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** 一次 wx.request：2xx → data；其他状态码 → 服务端的错误；fail → NETWORK。 */
function once({ url, method, data, token, headers }) {
  return new Promise((resolve, reject) => {
    const header = { 'content-type': 'application/json', ...headers };
    if (token) header.Authorization = 'Bearer ' + token;
    wx.request({
      url,
      method,
      data,
      header,
      timeout: config.requestTimeoutMs,
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.data);
        else reject(fromResponse(res.statusCode, res.data));
      },
      fail(err) {
        reject(fromNetwork(err && err.errMsg));
      },
    });
  });
}

/**
 * @typedef {object} RequestOptions
 * @property {string} path 服务端路径，如 /api/orders
 * @property {'GET' | 'POST'} [method]
 * @property {object} [data] JSON 请求体（GET 时为查询参数）
 * @property {string} [token] 登录令牌（request() 自己填）
 * @property {Record<string, string>} [headers]
 * @property {boolean} [retry] 网络错误后是否重试（默认只有 GET）
 */

/**
 * 不带登录态的请求。`retry`：网络错误后是否重试（默认只有 GET）。4xx/5xx 从不重试：
 * 服务端已经回答了，再发一次也是同样的回答，而且可能重复执行。
 * A request without login. `retry`: whether a network error is retried (default: GET only).
 * An HTTP answer is never retried: the server has spoken, and repeating may repeat the effect.
 * @param {RequestOptions} options
 */
async function send({ path, method = 'GET', data, token, headers, retry = method === 'GET' }) {
  const url = config.baseUrl.replace(/\/+$/, '') + path;
  const attempts = 1 + (retry ? config.networkRetries : 0);
  for (let i = 1; ; i++) {
    try {
      return await once({ url, method, data, token, headers });
    } catch (e) {
      if (e.code !== NETWORK || i >= attempts) throw e;
      await delay(300 * 2 ** (i - 1));
    }
  }
}

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success(res) {
        if (res && res.code) resolve(res.code);
        else reject(new ApiError('WX_LOGIN', (res && res.errMsg) || 'login:fail no code'));
      },
      fail(err) {
        reject(new ApiError('WX_LOGIN', (err && err.errMsg) || 'login:fail'));
      },
    });
  });
}

/**
 * wx.login → POST /api/login → 保存令牌。code 只能用一次，所以登录请求本身不重发；
 * 网络错误时换一个新 code 再来。并发调用共用同一次登录。
 * wx.login → POST /api/login → token saved. A code is single-use, so the login request is
 * never resent as is: after a network error a fresh code is fetched. Concurrent callers share
 * one login.
 */
let pendingLogin = null;
function login() {
  if (!pendingLogin) {
    pendingLogin = (async () => {
      for (let i = 1; ; i++) {
        try {
          const code = await wxLogin();
          const result = await send({ path: '/api/login', method: 'POST', data: { code }, retry: false });
          session.save(result);
          return result.token;
        } catch (e) {
          if (e.code !== NETWORK || i > config.networkRetries) throw e;
          await delay(300 * 2 ** (i - 1));
        }
      }
    })().finally(() => {
      pendingLogin = null;
    });
  }
  return pendingLogin;
}

/**
 * 带登录态的请求（页面用这个）。A request as the logged-in user (what pages use).
 * @param {RequestOptions} options
 */
async function request(options) {
  const token = session.token() || (await login());
  try {
    return await send({ ...options, token });
  } catch (e) {
    if (e.code !== 'UNAUTHORIZED') throw e;
    // 令牌在服务端已过期或失效：重新登录，再试一次。
    session.clear();
    return send({ ...options, token: await login() });
  }
}

module.exports = { request, send, login };
