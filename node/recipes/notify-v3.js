'use strict';
// An API v3 payment notify, whatever the framework: the headers and the body exactly as received
// in, `{ status, body }` out. Verified over the raw bytes (Wechatpay-* headers, 5 minutes),
// decrypted with the APIv3 key, judged against the stored order (`judgePayment`), stored once,
// and only then 204. A refusal is a 4xx/5xx with a fixed body; the reason goes to the log.
const { judgePayment } = require('wxpay/v3');
const { keys } = require('./settings');
const { findOrder, markPaid } = require('./orders');

const ACK = { status: 204, body: '' };
const refuse = (status) => ({ status, body: JSON.stringify({ code: 'FAIL', message: '失败' }) });

/**
 * @param {Record<string, string | string[] | undefined>} headers the request's headers (any case)
 * @param {Buffer | string} body the request body as received
 * @returns {Promise<{ status: number, body: string }>}
 */
async function paymentNotifyV3(headers, body, log = console.warn) {
  let keySet;
  try {
    keySet = keys();
  } catch (e) {
    log(`payment notify (v3) not handled: ${e.code}: ${e.message}`); // names the variable
    return refuse(500);
  }
  let notification;
  try {
    notification = keySet.openNotification(headers, body);
  } catch (e) {
    // SIGNATURE_PROBE is WeChat checking that we verify: refusing it is right.
    log(`payment notify (v3) rejected: ${e.code}: ${e.message}`);
    return refuse(401);
  }
  const { event } = notification;
  if (notification.eventType !== 'TRANSACTION.SUCCESS') {
    log(`payment notify (v3): not a payment: ${notification.eventType}`);
    return refuse(400);
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const order = await findOrder(event.outTradeNo);
      const v = judgePayment(order, event);
      if (v.verdict === 'REFUSE') {
        log(`payment notify (v3) for ${event.outTradeNo} refused: ${v.code}: ${v.reason}`);
        return refuse(400);
      }
      if (v.verdict !== 'RECORD') return ACK; // a duplicate: already stored
      if (await markPaid(event.outTradeNo, v.afterClose ? 'CLOSED' : 'NOTPAY', event.transactionId)) return ACK; // stored: now answer
    }
    throw new Error('the order kept changing');
  } catch (e) {
    log(`payment notify (v3) for ${event.outTradeNo} not stored: ${e.message}`);
    return refuse(500); // WeChat sends it again
  }
}

module.exports = { paymentNotifyV3 };
