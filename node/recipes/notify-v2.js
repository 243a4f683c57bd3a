'use strict';
// An API v2 payment notify, whatever the framework: the body exactly as received in, the reply
// XML out. Verified (signature, appid, mch_id), judged against the stored order
// (`judgePayment`: amount, payer, sign type, transaction), stored once, and only then SUCCESS.
// Every FAIL is the same word; the reason goes to the log. The framework recipes around it
// differ only in how they get the raw body and send the reply.
const { judgePayment, notifyReply } = require('wxpay/notify');
const { merchant } = require('./settings');
const { findOrder, markPaid } = require('./orders');

/** @param {Buffer | string} body the request body as received @returns {Promise<string>} the reply */
async function paymentNotifyV2(body, log = console.warn) {
  let notify;
  try {
    notify = merchant().verifyPaymentNotify(body);
  } catch (e) {
    // INVALID_ARGUMENT here is a body that is not the raw one: the message says how to get it.
    log(`payment notify (v2) rejected: ${e.code}: ${e.message}`);
    return notifyReply(false);
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const order = await findOrder(notify.outTradeNo);
      const v = judgePayment(order, notify);
      if (v.verdict === 'REFUSE') log(`payment notify (v2) for ${notify.outTradeNo} refused: ${v.code}: ${v.reason}`);
      if (v.verdict !== 'RECORD') return notifyReply(v.reply); // 'SUCCESS' (a duplicate) or 'FAIL'
      // Store first: SUCCESS stops WeChat's retries, so it is sent only once the write is done.
      if (await markPaid(notify.outTradeNo, v.afterClose ? 'CLOSED' : 'NOTPAY', notify.transactionId)) return notifyReply(true);
    }
    throw new Error('the order kept changing');
  } catch (e) {
    log(`payment notify (v2) for ${notify.outTradeNo} not stored: ${e.message}`);
    return notifyReply(false); // WeChat sends it again
  }
}

module.exports = { paymentNotifyV2 };
