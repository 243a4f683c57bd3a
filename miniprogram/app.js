// 小程序入口：启动时先登录（失败也不要紧：第一次需要登录的请求会再登录）。
// Entry point: log in at launch (a failure is fine: the first request that needs it logs in).
const { login } = require('./utils/request');
const session = require('./utils/session');

App({
  onLaunch() {
    if (session.token()) return Promise.resolve();
    return login().catch((e) => console.warn('login at launch failed:', e.code, e.message));
  },
});
