'use strict';
// The payment-notify endpoint of a small Node backend or WeChat cloud function, with nothing
// but node:http and the wasm package: read the body as bytes, verify it, answer WeChat.
//
//   WXPAY_APPID=wx… WXPAY_MCH_ID=… WXPAY_API_KEY=… PORT=8080 node examples/notify-server.js
//
// WeChat retries a notify until it gets SUCCESS (about 15 times over 24 hours) and duplicates
// are normal, so `onPaid` must be idempotent: mark the order paid once, keyed by outTradeNo.
// SUCCESS is answered only after `onPaid` has finished (its promise resolved); slow work that is
// not the payment's record (emails, fulfilment) belongs after the reply. A FAIL reply is one fixed
// word: which check failed goes to `log`, never to whoever sent the message.
// (A handler that checks more of the order — payer, sign type, transaction — and knows duplicates
// from news uses `judgePayment`: see node/README.md.)
const http = require('node:http');
const wxpay = require('../../pkg/notify'); // elsewhere: require('wxpay/notify'), the small entry point

const MAX_BODY = 64 * 1024; // far above any real notify; the core refuses more too

/**
 * @param {object} options
 * @param {import('../../pkg/notify').MerchantConfig} options.merchant
 * @param {(outTradeNo: string) => number | undefined | Promise<number | undefined>} options.orderTotal
 *   the order's amount in fen
 * @param {(notify: import('../../pkg/notify').PaymentNotify) => void | Promise<void>} options.onPaid
 *   records the payment (idempotently); the reply waits for it
 * @param {(message: string) => void} [options.log]
 */
function createNotifyServer({ merchant, orderTotal, onPaid, log = console.warn }) {
  const m = new wxpay.Merchant(merchant); // checks the key once, not per request
  return http.createServer((req, res) => {
    const reply = (ok) => {
      res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' });
      res.end(wxpay.notifyReply(ok)); // FAIL: the fixed word
    };
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', async () => {
      let notify;
      try {
        notify = m.verifyPaymentNotify(Buffer.concat(chunks));
      } catch (e) {
        // A bad signature or a foreign appid is not ours to acknowledge. The code is logged,
        // never the body's secrets (there are none in it, and the key is never in messages).
        log(`wxpay notify rejected: ${e.code}: ${e.message}`);
        reply(false);
        return;
      }
      try {
        const total = await orderTotal(notify.outTradeNo);
        if (total === undefined) {
          log(`wxpay notify for ${notify.outTradeNo}: ORDER_NOT_FOUND`);
          reply(false);
          return;
        }
        if (notify.totalFee !== total) {
          log(`wxpay notify for ${notify.outTradeNo}: TOTAL_FEE_MISMATCH: ${notify.totalFee} fen, order is ${total}`);
          reply(false);
          return;
        }
        // Stored first, answered second: SUCCESS stops WeChat's retries, so it may only be
        // sent once the payment is recorded. If storing fails, FAIL brings the notify again.
        if (notify.resultCode === 'SUCCESS') await onPaid(notify);
      } catch (e) {
        log(`wxpay notify for ${notify.outTradeNo} not stored: ${e.message}`);
        reply(false);
        return;
      }
      reply(true);
    });
  });
}

module.exports = { createNotifyServer };

if (require.main === module) {
  const env = (name) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const orders = new Map(); // stand-in for the orders table: outTradeNo → total fee in fen
  const server = createNotifyServer({
    merchant: { appId: env('WXPAY_APPID'), mchId: env('WXPAY_MCH_ID'), key: env('WXPAY_API_KEY') },
    orderTotal: (no) => orders.get(no),
    onPaid: (n) => console.log(`paid: ${n.outTradeNo} (${n.transactionId})`),
  });
  const port = Number(process.env.PORT || 0);
  server.listen(port, process.env.HOST || '127.0.0.1', () => {
    console.log(`wxpay notify endpoint on http://127.0.0.1:${server.address().port}/`);
  });
}
