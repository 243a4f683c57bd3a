// 云数据库里的订单、退款单 → 核心验收规则（judgePayment / judgeRefund）读取的 StoredOrder / StoredRefund。v2 和 v3 的
// 通知函数存的是同一种文档，读法也只有这一份；每个函数各带一份相同的副本（云函数各自独立部署），测试检查它们一致。
//
// The stored order and refund as the core's acceptance rule reads them, for the v2 and v3
// notify functions alike (the same documents). Each function carries an identical copy; a test
// checks that.

/** 订单文档 → StoredOrder（sign_type：v2 统一下单用的签名类型；v3 的订单没有）。 */
function storedOrder(doc) {
  return {
    outTradeNo: doc.out_trade_no,
    totalFee: doc.total_fee,
    openid: doc.openid || null,
    signType: doc.sign_type || null,
    status: doc.status,
    transactionId: doc.transaction_id || null,
  };
}

/** 退款文档（及其订单的交易号）→ StoredRefund。 */
function storedRefund(doc, transactionId) {
  return {
    outRefundNo: doc.out_refund_no,
    outTradeNo: doc.out_trade_no,
    refundFee: doc.refund_fee,
    totalFee: doc.total_fee,
    refundId: doc.refund_id || null,
    transactionId: transactionId || null,
    status: doc.status,
  };
}

/** 退款单和它订单的交易号（订单已支付时才有）；没有这张退款单时为 null。 The refund and its order's transaction id. */
async function loadRefund(db, outRefundNo) {
  const refund = (await db.collection('refunds').where({ out_refund_no: outRefundNo }).limit(1).get()).data[0];
  if (!refund) return null;
  const order = (await db.collection('orders').where({ out_trade_no: refund.out_trade_no }).limit(1).get()).data[0];
  return { refund, stored: storedRefund(refund, order && order.transaction_id) };
}

/**
 * 记下一笔我们没有发起的退款（商户平台手工退款），留给人工核对：`unknown: true`。_id 由退款单号决定，并发的重复通知
 * 只能写入一份。true：已写入；false：没写入（多半是并发的同一通知刚写入），调用方重新读取再判断。
 * Records a refund we did not start, for a person; false when it could not be added (most
 * likely the same notify, concurrently): read again and judge again.
 */
async function addUnknownRefund(db, data) {
  try {
    await db.collection('refunds').add({ data: { _id: `unknown-${data.out_refund_no}`, ...data, unknown: true, recorded_at: db.serverDate() } });
    return true;
  } catch (e) {
    console.warn(`refund notify for ${data.out_refund_no}: the record could not be added (${e.message}); judging again`);
    return false;
  }
}

/**
 * RECORD：把 loadRefund 读到的退款改为判断出的 `status`，一次从判断时的状态出发的条件更新（并发的重复通知只有一个
 * 生效）；终态记下完成时间。true：改到了；false：退款刚被别的通知改过，调用方重新读取再判断。
 * The verdict's status stored in one conditional update from the status judged; false when the
 * refund moved on meanwhile (read again and judge again).
 */
async function recordRefund(db, found, status, { refundId, successTime }) {
  const data = { status, refund_id: refundId, updated_at: db.serverDate() };
  if (status === 'SUCCESS' || status === 'CLOSED') Object.assign(data, { success_time: successTime || null, finished_at: db.serverDate() });
  const res = await db.collection('refunds').where({ out_refund_no: found.refund.out_refund_no, status: found.refund.status }).update({ data });
  return res.stats.updated === 1;
}

module.exports = { storedOrder, storedRefund, loadRefund, addUnknownRefund, recordRefund };
