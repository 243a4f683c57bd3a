// 登录令牌的存储：wx.setStorageSync 里的 {token, expiresAt}。只存服务端发的令牌，
// openid 和 session_key 从不到达小程序。
// The login token in storage, with its expiry. Only the server's opaque token is kept here;
// the openid and session_key never reach the mini-program.

const KEY = 'wxpay.session';
// 提前一分钟当作过期，免得请求在路上过期。
// Treat a token as expired a minute early, so it does not expire on the way.
const MARGIN_MS = 60 * 1000;

/** 有效的令牌，或 null。 */
function token() {
  const s = wx.getStorageSync(KEY);
  if (!s || typeof s.token !== 'string' || typeof s.expiresAt !== 'number') return null;
  if (Date.now() >= s.expiresAt - MARGIN_MS) return null;
  return s.token;
}

/** 保存 POST /api/login 的结果 `{token, expires_in}`（秒）。 */
function save(login) {
  wx.setStorageSync(KEY, { token: login.token, expiresAt: Date.now() + login.expires_in * 1000 });
}

function clear() {
  wx.removeStorageSync(KEY);
}

module.exports = { KEY, token, save, clear };
