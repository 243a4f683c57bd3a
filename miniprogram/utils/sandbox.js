// 沙箱开关：支付交给模拟器，只在开发版（开发者工具、预览、真机调试：envVersion 'develop'）并且
// config.js 的 `sandbox` 为 true 时才成立。体验版（trial）和正式版（release）永远走 wx.requestPayment：
// 即使 config.js 原样带着 `sandbox: true` 上线，也不会向模拟器发任何请求。
// The sandbox (payment through the simulator) holds only in the develop build AND when config.js
// asks for it. A trial or release build always uses wx.requestPayment: a config.js shipped with
// `sandbox: true` still never talks to a simulator there.
const config = require('../config');

/**
 * 'develop' | 'trial' | 'release'。读不到（接口缺失或出错）就当作正式版：宁可不用沙箱。
 * Unknown (API missing or failing) counts as release: never the sandbox by accident.
 * @returns {'develop' | 'trial' | 'release'}
 */
function envVersion() {
  try {
    const v = wx.getAccountInfoSync().miniProgram.envVersion;
    return v === 'develop' || v === 'trial' ? v : 'release';
  } catch (e) {
    return 'release';
  }
}

function sandboxEnabled() {
  return config.sandbox === true && envVersion() === 'develop';
}

module.exports = { envVersion, sandboxEnabled };
