// 小程序的全部配置：服务端地址与沙箱开关。这里没有任何密钥（AppSecret、API 密钥只在服务端）。
// All of the mini-program's settings. No secret belongs here: the AppSecret and the API key
// live on the server only.
module.exports = {
  // wxpay-server 的地址。生产环境必须是 HTTPS，且已加入「request 合法域名」。
  // The wxpay-server URL. In production: HTTPS, listed under the request domain whitelist.
  baseUrl: 'http://127.0.0.1:8080',

  // 沙箱模式：服务端以 `wxpay-server serve --sandbox` 运行时设为 true，支付一步改由模拟器完成，
  // 不调用 wx.requestPayment（开发者工具里没有商户号也能走完整流程）。生产环境必须为 false。
  // Sandbox: true while the server runs `serve --sandbox`; payment then goes to the simulator's
  // client endpoint instead of wx.requestPayment. Must be false in production.
  sandbox: true,

  // 模拟器地址：`serve --sandbox` 启动时打印的 `sandbox: https://127.0.0.1:PORT` 那一行。
  // The simulator's URL, as printed by `serve --sandbox` ("sandbox: https://127.0.0.1:PORT").
  sandboxUrl: 'https://127.0.0.1:9443',

  // 支付后等待服务端确认（支付通知）的时长与轮询间隔。
  // How long to wait for the server to confirm a payment (its notify), and how often to ask.
  payConfirmTimeoutMs: 15000,
  pollIntervalMs: 1000,

  // 单次请求超时；网络错误时的重试次数（只对可安全重复的请求）。
  // Per-request timeout; retries after a network error (only for requests safe to repeat).
  requestTimeoutMs: 10000,
  networkRetries: 2,
};
