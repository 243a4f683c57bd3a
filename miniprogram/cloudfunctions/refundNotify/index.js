// 退款结果通知（HTTP 触发的云函数）：用 wasm 核心检查 return_code / appid / mch_id 并解密
// req_info（AES-256-ECB，密钥为 API 密钥的 MD5），核对退款单和金额，再用一次条件更新把退款从
// APPROVED / PROCESSING 改为终态（SUCCESS、CHANGE、CLOSED），写入成功后才回复 SUCCESS。
//
// The refund notify: return_code, appid and mch_id checked and req_info decrypted by the wasm
// core, the refund and amounts checked, then APPROVED / PROCESSING → final state in one
// conditional update (duplicates apply once); SUCCESS only after it is stored.
//
// 数据：集合 `refunds`，文档 {out_refund_no, out_trade_no, refund_fee, total_fee, status, …}，
// 由发起退款的云函数写入（status 为 PROCESSING）。订单已退金额 = 其 SUCCESS 退款之和，需要时再求和，
// 所以一次条件更新就是全部的状态变化。
// Data: collection `refunds`. An order's refunded total is the sum of its SUCCESS refunds,
// summed when needed, so this one conditional update is the whole state change.
const cloud = require('wx-server-sdk');
// wxpay/ 是仓库 pkg/ 的副本（scripts/build-wasm 同步，随函数一起上传）；notify 是只含通知处理的小入口。
// wxpay/ is a copy of the repository's pkg/, uploaded with the function; `notify` is its small entry point.
const wxpay = require('./wxpay/notify');
const { readBody, methodNotAllowed, respond } = require('./http-event');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

/** 微信的 refund_status → 退款单的终态。 */
const FINAL_STATUS = { SUCCESS: 'SUCCESS', CHANGE: 'CHANGE', REFUNDCLOSE: 'CLOSED' };

let merchant = null;
function getMerchant() {
  if (!merchant) {
    const { WXPAY_APPID: appId, WXPAY_MCH_ID: mchId, WXPAY_API_KEY: key } = process.env;
    if (!appId || !mchId || !key) throw new Error('WXPAY_APPID, WXPAY_MCH_ID and WXPAY_API_KEY must be set');
    merchant = new wxpay.Merchant({ appId, mchId, key });
  }
  return merchant;
}

async function handle(body) {
  let n;
  try {
    n = getMerchant().decryptRefundNotify(body);
  } catch (e) {
    // 解密失败（密钥不对、密文被改）、appid / mch_id 不是我们的：不确认，不改数据。
    console.warn(`refund notify rejected: ${e.code || e.message}`);
    return [false, e.code || 'CONFIG'];
  }
  const status = FINAL_STATUS[n.refundStatus];
  if (!status) return [false, 'UNKNOWN_REFUND_STATUS'];

  const db = cloud.database();
  const _ = db.command;
  const refunds = db.collection('refunds');
  const { data } = await refunds.where({ out_refund_no: n.outRefundNo }).limit(1).get();
  const refund = data[0];
  if (!refund) return [false, 'REFUND_NOT_FOUND'];
  if (refund.out_trade_no !== n.outTradeNo) return [false, 'ORDER_MISMATCH'];
  if (refund.refund_fee !== n.refundFee || refund.total_fee !== n.totalFee) {
    console.warn(`refund notify for ${n.outRefundNo}: ${n.refundFee}/${n.totalFee} fen, stored ${refund.refund_fee}/${refund.total_fee}`);
    return [false, 'AMOUNT_MISMATCH'];
  }
  if (refund.status === status) return [true]; // 已处理过的重复通知

  const res = await refunds.where({ out_refund_no: n.outRefundNo, status: _.in(['APPROVED', 'PROCESSING']) }).update({
    data: { status, refund_id: n.refundId, success_time: n.successTime || null, finished_at: db.serverDate() },
  });
  if (res.stats.updated === 1) return [true];
  const again = (await refunds.where({ out_refund_no: n.outRefundNo }).limit(1).get()).data[0];
  if (again && again.status === status) return [true];
  console.error(`refund notify for ${n.outRefundNo}: refund is ${again && again.status}, notify says ${status}`);
  return [false, 'REFUND_NOT_IN_FLIGHT'];
}

exports.main = async (event, context) => {
  const refused = methodNotAllowed(event);
  if (refused) return refused;
  let ok;
  let message;
  try {
    [ok, message] = await handle(readBody(event));
  } catch (e) {
    console.error(`refund notify not applied: ${e.message}`);
    [ok, message] = [false, 'RETRY_LATER'];
  }
  return respond(event, wxpay.notifyReply(ok, message));
};
