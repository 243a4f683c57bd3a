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

module.exports = { storedOrder, storedRefund, loadRefund };
