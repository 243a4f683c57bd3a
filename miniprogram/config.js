// 小程序的全部配置：服务端地址与沙箱开关。这里没有任何密钥（AppSecret、API 密钥只在服务端）。
// All of the mini-program's settings. No secret belongs here: the AppSecret and the API key
// live on the server only.
module.exports = {
  // wxpay-server 的地址。生产环境必须是 HTTPS，且已加入「request 合法域名」。
  // The wxpay-server URL. In production: HTTPS, listed under the request domain whitelist.
  baseUrl: 'http://127.0.0.1:8080',

  // 沙箱：支付一步改由 wxpay-server 的模拟器完成（`serve --sandbox`），不调用 wx.requestPayment，
  // 开发者工具里没有商户号也能走完整流程。它只在开发版（envVersion 'develop'：开发者工具、预览、
  // 真机调试）生效；体验版、正式版一律走 wx.requestPayment，这个值被忽略（utils/sandbox.js）。
  // Sandbox: payment goes to wxpay-server's simulator (`serve --sandbox`) instead of
  // wx.requestPayment. Honoured in the develop build only (devtools, preview, remote debugging);
  // a trial or release build ignores it and always uses wx.requestPayment (utils/sandbox.js).
  sandbox: true,

  // 模拟器地址：`serve --sandbox` 启动时打印的 `sandbox: https://127.0.0.1:PORT` 那一行（只在沙箱生效时使用）。
  // The simulator's URL, as printed by `serve --sandbox` (used only while the sandbox holds).
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
