'use strict';
// `wxpay/v3` drives `wxpay-sim serve`'s API v3: the flow sim/tests/peer/v3 drives with an SDK from
// npm, here with the package. The package is pure: it signs the requests, the paySign, and
// verifies and reads the answers, the notifies, the certificate download and the bill; this
// test does the HTTP (node:https with the simulator's CA) and plays the merchant's notify
// endpoint (HTTPS on loopback with the simulator's server certificate, as its README says).
//
// One simulator per key mode (`--v3-keys public-key|certificate|switchover`): prepay, a
// tampered paySign refused and the package's paySign accepted by the payer sheet,
// TRANSACTION.SUCCESS opened by `openNotification`, the query both ways, close, ORDER_NOT_EXIST,
// a refund held then settled with REFUND.SUCCESS (and 400 INVALID_REQUEST beyond what is left,
// 403 NOT_ENOUGH when a fault rule makes the merchant's balance short), an ABNORMAL refund
// applied with fields the package encrypts, a probe refused, the trade and fund-flow bills opened
// (their SHA-1 checked by the package), an answer checked with the wrong key refused, and a
// request signed with another key answered 401 SIGN_ERROR. In `certificate` and `switchover` the
// platform certificates come from `/v3/certificates` through `KeyStore#ingestCertificates`; in
// `certificate` a rotation is followed (the new certificate listed at once: the re-download,
// naming no serial, is signed by the held certificate and taken in; once activated, the new one
// signs the notify, opened; a merchant that skipped the download gets UNKNOWN_SERIAL and the
// store's advice to download); in `switchover` answers follow `Wechatpay-Serial`, and the switch
// moves notifies and answers naming no serial to the public key.
//
// The binary: WXPAY_SIM_BIN, default ../target/debug/wxpay-sim (scripts/test-wasm node builds
// it). Missing, the test fails: it is not skipped.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');

const v3 = require('../../pkg/v3');

const { BIN, deadline, within, startSim, client, control } = require('./sim');

/**
 * The merchant's notify endpoint: every notify goes through `openNotification` with the keys
 * `keys()` gives at that moment; opened, it is acknowledged (204), otherwise refused (401) with
 * the package's error code recorded.
 */
async function notifyEndpoint(dir, keys) {
  const seen = { opened: [], refused: [] };
  const events = new EventEmitter();
  const server = https.createServer({
    cert: fs.readFileSync(path.join(dir, 'server_cert.pem')),
    key: fs.readFileSync(path.join(dir, 'server_key.pem')),
  }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const serial = req.headers['wechatpay-serial'];
      try {
        const notification = keys().openNotification(req.headers, body);
        seen.opened.push({ path: req.url, serial, notification });
        res.writeHead(204).end();
      } catch (e) {
        seen.refused.push({ path: req.url, serial, code: e.code, signature: req.headers['wechatpay-signature'] });
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'FAIL', message: e.code || 'refused' }));
      }
      events.emit('notify');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  /** The first notify `list` holds that `predicate` picks, as soon as it arrives. */
  const waitFor = (what, list, predicate) => within(what, new Promise((resolve) => {
    const look = () => {
      const found = seen[list].find(predicate);
      if (!found) return false;
      events.off('notify', look);
      resolve(found);
      return true;
    };
    if (!look()) events.on('notify', look);
  }));
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    seen,
    waitFor,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** The error `fn` throws (fails when it does not throw). */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('did not throw');
}

const pem = (thing) => (thing.startsWith('-----BEGIN') ? thing : fs.readFileSync(thing, 'utf8'));

test('wxpay-sim is built (WXPAY_SIM_BIN, default ../target/debug/wxpay-sim)', () => {
  assert.ok(fs.existsSync(BIN), `wxpay-sim not found at ${BIN}: run \`cargo build -p wxpay-sim\` (or set WXPAY_SIM_BIN to the binary)`);
});

for (const mode of ['public-key', 'certificate', 'switchover']) {
  describe(`wxpay/v3 against wxpay-sim --v3-keys ${mode}`, () => {
    let sim;
    let ready;
    let send;
    let merchant;
    let store;
    let keys;
    let notify;
    const no = `V3PKG${mode[0].toUpperCase()}${Date.now()}`;
    let openid;
    let transactionId;

    before(async () => {
      sim = await startSim(mode);
      ready = sim.ready;
      send = client(fs.readFileSync(ready.ca_file));
      merchant = new v3.Merchant({
        appId: ready.appid, mchId: ready.mch_id, serialNo: ready.v3.mch_serial,
        privateKey: fs.readFileSync(ready.v3.mch_private_key), apiBase: ready.base_url,
      });
      store = new v3.KeyStore();
      if (ready.v3.wechatpay_public_key_id) store.addPublicKey(ready.v3.wechatpay_public_key_id, pem(ready.v3.wechatpay_public_key));
      keys = store.keySet(ready.v3.apiv3_key);
      notify = await notifyEndpoint(sim.dir, () => keys);
      ({ openid } = await control(ready, 'POST', '/login', {}));
    });

    after(async () => {
      if (notify) await notify.close();
      if (sim) await sim.stop();
    });

    /** A signed request sent; its answer as the package reads it (`parse` a KeySet method). */
    async function call(request, parse) {
      const answer = await send(request);
      return keys[parse](answer);
    }

    test('the certificate download is taken in by the key store as the mode says', async () => {
      const answer = await send(merchant.buildDownloadCertificates());
      const refresh = store.ingestCertificates(answer, ready.v3.apiv3_key);
      if (mode === 'public-key') {
        assert.equal(answer.status, 404);
        assert.equal(refresh.result, 'noCertificates');
      } else {
        assert.equal(refresh.result, 'updated');
        assert.deepEqual(refresh.added.map((s) => s.toUpperCase()), [ready.v3.platform_serial.toUpperCase()]);
        const downloaded = new crypto.X509Certificate(pem(ready.v3.platform_certificate));
        assert.equal(downloaded.serialNumber.toUpperCase(), ready.v3.platform_serial.toUpperCase());
      }
      // The store survives its JSON (what a server keeps in its database).
      store = new v3.KeyStore(store.toJson());
      keys = store.keySet(ready.v3.apiv3_key);
      const expected = [ready.v3.wechatpay_public_key_id, ready.v3.platform_serial].filter(Boolean).map((s) => s.toUpperCase()).sort();
      assert.deepEqual(keys.serials.map((s) => s.toUpperCase()).sort(), expected);
    });

    test('prepay: the answer is verified and read by the package', async () => {
      const order = { description: '拿铁 Latte', outTradeNo: no, total: 1800, notifyUrl: `${notify.url}/pay`, openid };
      const { prepayId } = await call(merchant.buildJsapiPrepay(order, { wechatpaySerial: keys.requestSerial() }), 'parseJsapiPrepayResponse');
      assert.match(prepayId, /^wx/);
      const q = await call(merchant.buildQueryByOutTradeNo({ outTradeNo: no }), 'parseTransactionResponse');
      assert.equal(q.tradeState, 'NOTPAY');

      // The payer sheet takes the package's paySign, and refuses one over another package.
      const sheet = async (params) => {
        const r = await send({
          method: 'POST', url: `${ready.base_url}/sandbox/v3/requestPayment`,
          headers: { 'content-type': 'application/json' }, body: JSON.stringify(params),
        });
        return { status: r.status, body: JSON.parse(r.body.toString('utf8')) };
      };
      const params = merchant.paymentParams({ prepayId });
      assert.equal(params.signType, 'RSA');
      const other = merchant.paymentParams({ prepayId: 'wx0000', timeStamp: params.timeStamp, nonceStr: params.nonceStr });
      const tampered = await sheet({ ...params, paySign: other.paySign });
      assert.equal(tampered.status, 400, JSON.stringify(tampered));
      assert.doesNotMatch(tampered.body.errMsg, /requestPayment:ok/);
      const paid = await sheet(params);
      assert.equal(paid.body.errMsg, 'requestPayment:ok', JSON.stringify(paid));
      transactionId = paid.body.transaction_id;
    });

    test('TRANSACTION.SUCCESS is verified and decrypted by openNotification', async () => {
      const n = await notify.waitFor('the TRANSACTION.SUCCESS notify', 'opened', (x) => x.notification.event.outTradeNo === no);
      assert.equal(n.notification.eventType, 'TRANSACTION.SUCCESS');
      assert.equal(n.notification.event.kind, 'payment');
      assert.equal(n.notification.event.tradeState, 'SUCCESS');
      assert.equal(n.notification.event.amount.total, 1800);
      assert.equal(n.notification.event.payer.openid, openid);
      assert.equal(n.notification.event.transactionId, transactionId);
      const signedBy = mode === 'public-key' ? ready.v3.wechatpay_public_key_id : ready.v3.platform_serial;
      assert.equal(n.serial, signedBy);
    });

    test('query by transaction_id and by out_trade_no say SUCCESS', async () => {
      const byId = await call(merchant.buildQueryByTransactionId({ transactionId }), 'parseTransactionResponse');
      assert.equal(byId.tradeState, 'SUCCESS');
      assert.equal(byId.outTradeNo, no);
      assert.equal(byId.amount.payerTotal, 1800);
      const byNo = await call(merchant.buildQueryByOutTradeNo({ outTradeNo: no }), 'parseTransactionResponse');
      assert.equal(byNo.transactionId, transactionId);
    });

    test('an answer checked with the wrong key is refused by the package', async () => {
      const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const stranger = publicKey.export({ type: 'spki', format: 'pem' });
      const answer = await send(merchant.buildQueryByOutTradeNo({ outTradeNo: no }));
      const serial = answer.headers['wechatpay-serial'];
      if (serial.startsWith('PUB_KEY_ID_')) {
        // The same id, another key.
        const forged = new v3.KeySet({ publicKeys: { [serial]: stranger } });
        assert.equal(thrown(() => forged.parseTransactionResponse(answer)).code, 'SIGNATURE_MISMATCH');
      } else {
        // A key set without the certificate that signed it.
        const forged = new v3.KeySet({ publicKeys: { PUB_KEY_ID_0114000000000000000000000000000000: stranger } });
        assert.equal(thrown(() => forged.parseTransactionResponse(answer)).code, 'UNKNOWN_SERIAL');
      }
      assert.equal(keys.parseTransactionResponse(answer).tradeState, 'SUCCESS');
      // And a request signed with another key is WeChat's 401 SIGN_ERROR, read by the package.
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const impostor = new v3.Merchant({
        appId: ready.appid, mchId: ready.mch_id, serialNo: ready.v3.mch_serial,
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }), apiBase: ready.base_url,
      });
      const bad = await send(impostor.buildQueryByOutTradeNo({ outTradeNo: no }));
      const err = thrown(() => keys.parseTransactionResponse(bad));
      assert.equal(err.code, 'API_ERROR');
      assert.equal(err.status, 401);
      assert.equal(err.errCode, 'SIGN_ERROR');
    });

    test('close: 204 verified; the order then queries CLOSED; an unknown one is ORDER_NOT_EXIST', async () => {
      const other = `${no}X`;
      await call(merchant.buildJsapiPrepay({ description: 'closed', outTradeNo: other, total: 100, notifyUrl: `${notify.url}/pay`, openid }), 'parseJsapiPrepayResponse');
      const closed = await send(merchant.buildCloseOrder({ outTradeNo: other }));
      assert.equal(closed.status, 204);
      keys.parseCloseOrderResponse(closed);
      const q = await call(merchant.buildQueryByOutTradeNo({ outTradeNo: other }), 'parseTransactionResponse');
      assert.equal(q.tradeState, 'CLOSED');
      const missing = await send(merchant.buildQueryByOutTradeNo({ outTradeNo: `${no}NONE` }));
      const e = thrown(() => keys.parseTransactionResponse(missing));
      assert.equal(e.code, 'API_ERROR');
      assert.equal(e.status, 404);
      assert.equal(e.errCode, 'ORDER_NOT_EXIST');
    });

    test('refund: PROCESSING, settled, REFUND.SUCCESS opened by openNotification, then SUCCESS', async () => {
      await control(ready, 'POST', '/knobs', { hold_refunds: true });
      const rno = `R${no}`;
      const refund = await call(merchant.buildRefund({ outTradeNo: no, outRefundNo: rno, refund: 800, total: 1800, reason: 'pkg', notifyUrl: `${notify.url}/refund` }), 'parseRefundResponse');
      assert.equal(refund.status, 'PROCESSING');
      assert.equal(refund.amount.refund, 800);
      const tooMuch = await send(merchant.buildRefund({ outTradeNo: no, outRefundNo: `${rno}B`, refund: 1001, total: 1800 }));
      const e = thrown(() => keys.parseRefundResponse(tooMuch));
      assert.deepEqual([e.code, e.status, e.errCode], ['API_ERROR', 400, 'INVALID_REQUEST']);
      // The merchant's balance short (WeChat's NOT_ENOUGH), injected by a fault rule.
      await control(ready, 'POST', '/faults', { endpoint: 'v3_refund', kind: 'err_code', err_code: 'NOT_ENOUGH' });
      const short = await send(merchant.buildRefund({ outTradeNo: no, outRefundNo: `${rno}C`, refund: 100, total: 1800 }));
      const s = thrown(() => keys.parseRefundResponse(short));
      assert.deepEqual([s.code, s.status, s.errCode], ['API_ERROR', 403, 'NOT_ENOUGH']);
      const held = await call(merchant.buildRefundQuery({ outRefundNo: rno }), 'parseRefundResponse');
      assert.equal(held.status, 'PROCESSING');
      await control(ready, 'POST', `/refunds/${rno}/settle`, { status: 'SUCCESS' });
      const n = await notify.waitFor('the REFUND.SUCCESS notify', 'opened', (x) => x.notification.event.outRefundNo === rno);
      assert.equal(n.notification.eventType, 'REFUND.SUCCESS');
      assert.equal(n.notification.event.kind, 'refund');
      assert.equal(n.notification.event.refundStatus, 'SUCCESS');
      assert.equal(n.notification.event.amount.refund, 800);
      const done = await call(merchant.buildRefundQuery({ outRefundNo: rno }), 'parseRefundResponse');
      assert.equal(done.status, 'SUCCESS');
    });

    test('an abnormal refund: REFUND.ABNORMAL opened, then applied with fields the package encrypts', async () => {
      const ano = `A${no}`;
      await call(merchant.buildRefund({ outTradeNo: no, outRefundNo: ano, refund: 200, total: 1800, notifyUrl: `${notify.url}/refund` }), 'parseRefundResponse');
      await control(ready, 'POST', `/refunds/${ano}/settle`, { status: 'ABNORMAL' });
      const n = await notify.waitFor('the REFUND.ABNORMAL notify', 'opened', (x) => x.notification.event.outRefundNo === ano);
      assert.equal(n.notification.eventType, 'REFUND.ABNORMAL');
      assert.equal(n.notification.event.refundStatus, 'ABNORMAL');
      // RSA-OAEP to the key keys.requestSerial() names; the simulator decrypts and checks them.
      const bankAccount = keys.encryptSensitive('6214000000000000000');
      const realName = keys.encryptSensitive('张三');
      assert.equal(bankAccount.wechatpaySerial, keys.requestSerial());
      const applied = await call(merchant.buildAbnormalRefund({
        refundId: n.notification.event.refundId, outRefundNo: ano, type: 'USER_BANK_CARD', bankType: 'ICBC_DEBIT', bankAccount, realName,
      }), 'parseRefundResponse');
      assert.equal(applied.status, 'PROCESSING');
      assert.equal(applied.outRefundNo, ano);
    });

    test('a probe is refused by openNotification and recorded as refused', async () => {
      await control(ready, 'POST', '/v3/probes', { count: 1, url: `${notify.url}/pay` });
      const probe = await notify.waitFor('the probe', 'refused', (x) => /^WECHATPAY\/SIGNTEST\//.test(x.signature || ''));
      assert.equal(probe.code, 'SIGNATURE_PROBE');
      const d = deadline('the probe verdict');
      try {
        for (;;) {
          const list = await control(ready, 'GET', '/notifies');
          const verdict = (Array.isArray(list) ? list : list.notifies || []).find((x) => x.probe && x.probe_verdict);
          if (verdict) {
            assert.equal(verdict.probe_verdict, 'refused', JSON.stringify(verdict));
            break;
          }
          await Promise.race([new Promise((r) => setTimeout(r, 50)), d.promise]);
        }
      } finally {
        d.clear();
      }
    });

    test('bills: the answer verified, the download signed, the SHA-1 checked by the package', async () => {
      const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
      // The simulator's download_url is on its base_url, the merchant's apiBase: the package signs
      // the download for that host (and would refuse any other).
      const download = async (bill, tarType) => {
        assert.equal(new URL(bill.downloadUrl).origin, new URL(ready.base_url).origin);
        const request = merchant.buildBillDownload(bill);
        assert.equal(request.url, bill.downloadUrl);
        const file = await send(request);
        assert.equal(file.status, 200, file.body.toString('utf8'));
        return tarType ? { bytes: file.body, options: { tarType } } : { bytes: file.body, options: {} };
      };
      const trade = await call(merchant.buildTradeBill({ billDate: today }), 'parseBillResponse');
      assert.equal(trade.hashType, 'SHA1');
      const t = await download(trade);
      const rows = v3.openTradeBill(trade, t.bytes).rows;
      assert.ok(rows.some((r) => r.outTradeNo === no && r.transactionId === transactionId), JSON.stringify(rows));
      // A file that is not the one hashed is refused.
      const changed = Buffer.from(t.bytes);
      changed[changed.length - 2] ^= 1;
      assert.equal(thrown(() => v3.openTradeBill(trade, changed)).code, 'BILL_HASH_MISMATCH');

      const gz = await call(merchant.buildTradeBill({ billDate: today, tarType: 'GZIP' }), 'parseBillResponse');
      const g = await download(gz, 'GZIP');
      assert.ok(v3.openTradeBill(gz, g.bytes, g.options).rows.some((r) => r.outTradeNo === no));

      const flow = await call(merchant.buildFundFlowBill({ billDate: today }), 'parseBillResponse');
      const f = await download(flow);
      assert.ok(v3.openFundFlowBill(flow, f.bytes).summary.rows >= 1);
    });

    if (mode === 'certificate') {
      test('a rotated certificate: listed at once, re-downloaded naming no serial, signing once activated', async () => {
        const held = ready.v3.platform_serial;
        const { serial } = await control(ready, 'POST', '/v3/keys/rotate', {});
        // Listed, not yet in use: the notify is still signed by the held certificate.
        const before = `${no}Q`;
        const order = (outTradeNo) => ({ description: 'rotated', outTradeNo, total: 300, notifyUrl: `${notify.url}/pay`, openid });
        await call(merchant.buildJsapiPrepay(order(before)), 'parseJsapiPrepayResponse');
        await control(ready, 'POST', `/orders/${before}/pay`, {});
        const old = await notify.waitFor('the notify before the takeover', 'opened', (x) => x.notification.event.outTradeNo === before);
        assert.equal(old.serial, held);
        // The re-download names no serial: its answer is signed by the certificate held, so the
        // store's strict ingest (a carried certificate trusted only on a first download) takes
        // the new one in.
        const answer = await send(merchant.buildDownloadCertificates());
        assert.equal(answer.headers['wechatpay-serial'], held);
        const refresh = store.ingestCertificates(answer, ready.v3.apiv3_key);
        assert.deepEqual(refresh.added.map((s) => s.toUpperCase()), [serial.toUpperCase()]);
        keys = store.keySet(ready.v3.apiv3_key);
        assert.equal(keys.requestSerial().toUpperCase(), serial.toUpperCase());
        // Activated (WeChat's day passed): the new certificate signs the notify, opened.
        await control(ready, 'POST', '/v3/keys/activate', {});
        const next = `${no}R`;
        await call(merchant.buildJsapiPrepay(order(next)), 'parseJsapiPrepayResponse');
        await control(ready, 'POST', `/orders/${next}/pay`, {});
        const n = await notify.waitFor('the notify after the takeover', 'opened', (x) => x.notification.event.outTradeNo === next);
        assert.equal(n.serial, serial);
      });

      test('a merchant that skipped the download: the new certificate\'s notify is UNKNOWN_SERIAL, the store advises a download', async () => {
        const { serial } = await control(ready, 'POST', '/v3/keys/rotate', {});
        await control(ready, 'POST', '/v3/keys/activate', {});
        const next = `${no}U`;
        const order = { description: 'unknown', outTradeNo: next, total: 300, notifyUrl: `${notify.url}/pay`, openid };
        await call(merchant.buildJsapiPrepay(order, { wechatpaySerial: keys.requestSerial() }), 'parseJsapiPrepayResponse');
        await control(ready, 'POST', `/orders/${next}/pay`, {});
        const refused = await notify.waitFor('the notify signed by the unknown certificate', 'refused', (x) => x.serial === serial);
        assert.equal(refused.code, 'UNKNOWN_SERIAL');
        assert.equal(store.onUnknownSerial(serial).advice, 'download');
      });
    }

    if (mode === 'switchover') {
      test('answers follow Wechatpay-Serial; the switch moves notifies and unnamed answers to the public key', async () => {
        for (const serial of [ready.v3.platform_serial, ready.v3.wechatpay_public_key_id]) {
          const answer = await send(merchant.buildQueryByOutTradeNo({ outTradeNo: no }, { wechatpaySerial: serial }));
          assert.equal(answer.headers['wechatpay-serial'], serial);
          assert.equal(keys.parseTransactionResponse(answer).tradeState, 'REFUND');
        }
        const unnamed = async () => (await send(merchant.buildQueryByOutTradeNo({ outTradeNo: no }))).headers['wechatpay-serial'];
        assert.equal(await unnamed(), ready.v3.platform_serial, 'before the switch: the certificate');
        await control(ready, 'POST', '/v3/keys/switch', {});
        assert.equal(await unnamed(), ready.v3.wechatpay_public_key_id, 'after the switch: the public key');
        const next = `${no}S`;
        await call(merchant.buildJsapiPrepay({ description: 'after', outTradeNo: next, total: 300, notifyUrl: `${notify.url}/pay`, openid }), 'parseJsapiPrepayResponse');
        await control(ready, 'POST', `/orders/${next}/pay`, {});
        const n = await notify.waitFor('the notify after the switch', 'opened', (x) => x.notification.event.outTradeNo === next);
        assert.equal(n.serial, ready.v3.wechatpay_public_key_id);
      });
    }
  });
}
