// API v3 的通知（HTTP 触发的云函数）共用的部分：从环境变量读取配置（第一次调用时读取，读不到或不合法时每次调用都
// 写一条点名该变量的日志并拒绝，不会让 require 抛错），用原始请求体和 Wechatpay-* 请求头先验签（含 5 分钟的时间戳
// 窗口）再解密（KeySet#openNotification），然后交给函数自己的 handle（验收规则 + 一次条件更新），写入成功后才回复
// 200。微信故意发来的验签探测（签名以 WECHATPAY/SIGNTEST/ 开头）被拒绝，只记一行 info。拒绝时回复 4xx/5xx 和固定的
// {"code":"FAIL","message":"失败"}，原因只写日志。payNotifyV3 和 refundNotifyV3 各带一份相同的副本（云函数各自独立
// 部署）；测试检查两份一致。
//
// What the API v3 notify functions share: settings from the environment, read on first use (a
// missing or malformed one is logged by name and refused on every call; `require` never throws
// for it); the raw body verified with the `Wechatpay-*` headers first (the 5-minute timestamp
// window included), then decrypted (`KeySet#openNotification`), then the function's own
// `handle` (the acceptance rule and one conditional update), and 200 only once that is stored.
// WeChat's deliberate probes (`WECHATPAY/SIGNTEST/…`) are refused with one info line. A refusal
// is a 4xx/5xx with a fixed body; the reason goes to the log only. payNotifyV3 and
// refundNotifyV3 each carry an identical copy; a test checks that.
//
// 环境变量 / Settings (商户平台 = pay.weixin.qq.com):
//   WXPAY_APPID                 小程序 AppID
//   WXPAY_MCH_ID                商户号
//   WXPAY_APIV3_KEY             APIv3 密钥（32 字节；账户中心 → API 安全 → 设置 APIv3 密钥）
//   WXPAY_PUBLIC_KEY            微信支付公钥（账户中心 → API 安全 → 微信支付公钥）：PEM 文本本身，或函数目录下的相对路径
//                               （值不以 -----BEGIN 开头时）。The PEM text, or a path relative to this folder.
//   WXPAY_PUBLIC_KEY_ID         其 ID，完整的 PUB_KEY_ID_…
//   WXPAY_PLATFORM_CERTIFICATE  平台证书（PEM，同上规则）：2024 年 10 月前入驻、尚未切换到公钥的商户；切换期间两者都配。
// 至少配置公钥或平台证书之一。PEM 若只能写成一行，可以把换行写成 \n。 At least one of the two;
// a PEM written on one line may spell its line breaks `\n`.
const fs = require('node:fs');
const path = require('node:path');
// wxpay/ 是仓库 pkg/ 的 v3 入口的副本（scripts/build-wasm 同步，随函数一起上传）。
// wxpay/ is a copy of the repository's pkg/ (its `wxpay/v3` entry point), uploaded with the function.
const wxpay = require('./wxpay/v3');
const { readBody, methodNotAllowed } = require('./http-event');

/** 拒绝时的固定回复体（微信文档：接收失败返回 4XX/5XX 和这个应答）。 The fixed refusal body. */
const FAIL_BODY = JSON.stringify({ code: 'FAIL', message: '失败' });

/** A setting that is missing or malformed: its message starts with the variable's name. */
class SettingError extends Error {}

function required(name) {
  const value = (process.env[name] || '').trim();
  if (!value) throw new SettingError(`${name} is not set`);
  return value;
}

/** PEM 文本，或函数目录下的文件；未设置时为 null。 The PEM text or file, or null when unset. */
function optionalPem(name) {
  const value = (process.env[name] || '').trim();
  if (!value) return null;
  // 控制台的环境变量往往只能写一行：字面的 \n 还原为换行。 A one-line value's `\n` are line breaks.
  if (value.startsWith('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return fs.readFileSync(path.resolve(__dirname, value), 'utf8');
  } catch (e) {
    throw new SettingError(`${name}: neither PEM text (-----BEGIN …) nor a readable file relative to the function (${e.code || e.message})`);
  }
}

/** 读取并解析全部配置；出错时抛出 SettingError。 Reads and parses every setting. */
function loadSettings() {
  const appId = required('WXPAY_APPID');
  const mchId = required('WXPAY_MCH_ID');
  let keys;
  try {
    keys = new wxpay.KeySet({ apiV3Key: required('WXPAY_APIV3_KEY') });
  } catch (e) {
    throw e instanceof SettingError ? e : new SettingError(`WXPAY_APIV3_KEY: ${e.message}`);
  }
  const publicKey = optionalPem('WXPAY_PUBLIC_KEY');
  if (publicKey !== null) {
    const id = required('WXPAY_PUBLIC_KEY_ID');
    // 前缀是 ID 的一部分，去掉它就找不到公钥。 The prefix is part of the id.
    if (!/^PUB_KEY_ID_\S+$/.test(id)) throw new SettingError('WXPAY_PUBLIC_KEY_ID: must be PUB_KEY_ID_… in full, as the merchant platform shows it');
    try {
      keys.addPublicKey(id, publicKey);
    } catch (e) {
      throw new SettingError(`WXPAY_PUBLIC_KEY: ${e.message}`);
    }
  } else if (process.env.WXPAY_PUBLIC_KEY_ID) {
    throw new SettingError('WXPAY_PUBLIC_KEY is not set (WXPAY_PUBLIC_KEY_ID is)');
  }
  const certificate = optionalPem('WXPAY_PLATFORM_CERTIFICATE');
  if (certificate !== null) {
    try {
      keys.addCertificate(certificate);
    } catch (e) {
      throw new SettingError(`WXPAY_PLATFORM_CERTIFICATE: ${e.message}`);
    }
  }
  if (publicKey === null && certificate === null) {
    throw new SettingError('WXPAY_PUBLIC_KEY (with WXPAY_PUBLIC_KEY_ID) or WXPAY_PLATFORM_CERTIFICATE is not set');
  }
  return { appId, mchId, keys };
}

let settings = null;
/** 第一次成功读取后缓存；失败不缓存，每次调用都再报一次。 Cached once read; a failure is not. */
function getSettings() {
  if (!settings) settings = loadSettings();
  return settings;
}

function fail(statusCode) {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: FAIL_BODY };
}

/** 请求头（名字大小写不限，KeySet 自己匹配）。 The request headers, any case. */
function headersOf(event) {
  return (event !== null && typeof event === 'object' && !Buffer.isBuffer(event) && event.headers) || {};
}

/**
 * 处理一条 v3 通知。handle(event, settings) 返回 true（已写入，确认）或 false（拒绝，什么都没改）；抛错则是我们这边的
 * 问题（数据库等），回复 500 让微信重发。 Serves one notify: `handle` returns true (stored:
 * acknowledge) or false (refused, nothing changed); a throw is our trouble (500, WeChat resends).
 */
async function serveNotify(event, { what, eventTypes, handle }) {
  const notAllowed = methodNotAllowed(event);
  if (notAllowed) return notAllowed;
  let s;
  try {
    s = getSettings();
  } catch (e) {
    console.error(`${what} not handled: ${e instanceof SettingError ? `setting ${e.message}` : e.message}`);
    return fail(500);
  }
  let notification;
  try {
    // 先验签（时间戳、序列号、签名），再解密：未验证的内容一个字节也不用。 Verified, then decrypted.
    notification = s.keys.openNotification(headersOf(event), readBody(event));
  } catch (e) {
    if (e.code === 'SIGNATURE_PROBE') {
      // 微信的验签探测：拒绝正是它期待的，不算错误。 A probe: refusing it is what WeChat checks.
      console.info(`${what}: WeChat's signature probe refused, as expected`);
      return fail(401);
    }
    console.warn(`${what} rejected: ${e.code || e.message}`);
    return fail(e.code ? 401 : 400);
  }
  if (!eventTypes.includes(notification.eventType)) {
    console.error(`${what} ${notification.id}: event ${notification.eventType} is not for this function; not acknowledged`);
    return fail(400);
  }
  try {
    if (!(await handle(notification.event, s))) return fail(400);
  } catch (e) {
    console.error(`${what} not applied: ${e.message}`);
    return fail(500);
  }
  // 接收成功：200，无需应答报文。 Success: 200, no body needed.
  return { statusCode: 200, headers: {}, body: '' };
}

module.exports = { serveNotify, wxpay };
