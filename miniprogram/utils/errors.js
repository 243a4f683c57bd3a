// 请求失败的统一表示：服务端的错误码（见 server/README.md 的 HTTP API）或网络错误，以及给用户看的中文提示。
// One shape for every failed request: the server's stable error code (server/README.md, HTTP
// API) or a network error, plus the Chinese message shown to the user.

/** 网络不通、超时、连接被重置：请求可能没有到达服务端。 */
const NETWORK = 'NETWORK';

const MESSAGES = {
  [NETWORK]: '网络不给力，请检查网络后重试',
  INVALID_REQUEST: '请求有误，请返回重试',
  UNAUTHORIZED: '登录已过期，请重新进入小程序',
  WX_LOGIN: '微信登录失败，请重试',
  NOT_FOUND: '订单不存在',
  CONFLICT: '订单状态已变化，请刷新后查看',
  OUT_OF_STOCK: '库存不足，请减少数量或稍后再来',
  UPSTREAM_ERROR: '微信支付暂时无法处理，请稍后再试',
  UPSTREAM_UNAVAILABLE: '微信支付服务繁忙，请稍后再试',
  INTERNAL: '服务开小差了，请稍后再试',
};

class ApiError extends Error {
  /**
   * @param {string} code     服务端的 error.code，或 NETWORK
   * @param {string} message  服务端或网络层给出的原始说明（用于日志，不直接展示）
   * @param {number} [statusCode]  HTTP 状态码（网络错误时没有）
   * @param {string} [upstreamCode] 微信的错误码（如 ORDERPAID）
   * @param {number} [available] OUT_OF_STOCK 时还剩几件（0：已售罄）
   */
  constructor(code, message, statusCode, upstreamCode, available) {
    super(message || code);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = statusCode;
    this.upstreamCode = upstreamCode;
    this.available = available;
  }
}

/** 服务端的 JSON 错误体 `{"error": {"code", "message"}}` → ApiError。 */
function fromResponse(statusCode, body) {
  const e = body && typeof body === 'object' && body.error;
  if (e && typeof e.code === 'string') {
    return new ApiError(e.code, e.message, statusCode, e.upstream_code, Number.isSafeInteger(e.available) ? e.available : undefined);
  }
  // 不是服务端的错误体（例如网关返回的 HTML）：按状态码归类。
  return new ApiError(statusCode >= 500 ? 'INTERNAL' : 'INVALID_REQUEST', `HTTP ${statusCode}`, statusCode);
}

/** wx.request 的 fail 回调 → ApiError（NETWORK）。 */
function fromNetwork(errMsg) {
  return new ApiError(NETWORK, errMsg || 'request:fail');
}

/** 给用户看的提示。 */
function userMessage(err) {
  if (err && MESSAGES[err.code]) return MESSAGES[err.code];
  return '出了点问题，请稍后再试';
}

module.exports = { ApiError, NETWORK, fromResponse, fromNetwork, userMessage };
