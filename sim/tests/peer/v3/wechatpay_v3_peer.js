'use strict';
// wechatpay-axios-plugin (Node, from npm; nobody here wrote it) driving `wxpay-sim serve`'s API v3,
// pointed as sim/README.md tells an integrator: `baseURL` from the ready line, the CA through
// NODE_EXTRA_CA_CERTS (this script re-runs itself with it; TLS stays verified), the merchant's
// key and serial and WeChat's key from the ready line's `v3` object. The SDK signs every request
// and verifies every 2xx answer itself; its own pieces (Rsa, Formatter, Aes.AesGcm, Hash) sign
// the paySign, verify and decrypt the notifies, decrypt the certificates and hash the bill.
//
// Three times, one simulator each:
//   public-key   (`--v3-keys public-key`): WeChat's answers and notifies checked with the
//                PUB_KEY_ID_… public key; /v3/certificates is not served.
//   certificate  (`--v3-keys certificate`): the platform certificate downloaded from
//                /v3/certificates (decrypted, its own answer verified with it), then the same flow
//                verified with the downloaded certificate only; then a rotation: the new
//                certificate listed at once, downloaded again (the answer signed by the held
//                one), activated, the next notify verified with the new certificate.
//   switchover   (`--v3-keys switchover`): both keys held; the same flow, answers signed with
//                the key the request's Wechatpay-Serial names (naming none: as notifies),
//                notifies and unnamed answers moved to the public key by the control API's
//                switch.
// The flow: prepay, a tampered paySign refused and the SDK's paySign accepted by the payer sheet,
// TRANSACTION.SUCCESS verified and decrypted, query by out_trade_no and transaction_id, close,
// refund (held, queried, settled) with REFUND.SUCCESS, 400 INVALID_REQUEST beyond what is left
// and an injected 403 NOT_ENOUGH (the merchant's balance short), an ABNORMAL
// refund applied with bank fields the SDK encrypts (RSA-OAEP), a probe refused
// by the SDK's verification (and recorded as refused), the trade (plain and gzipped) and
// fund-flow bills whose SHA1 matches (the download signed, its answer not), ORDER_NOT_EXIST, the
// SDK refusing an answer checked with the wrong key, and WeChat refusing a wrong signature.
//
// node wechatpay_v3_peer.js PATH_TO_WXPAY_SIM
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const readline = require('node:readline');
const zlib = require('node:zlib');

const MODES = ['public-key', 'certificate', 'switchover'];

const simBin = process.argv[2];
if (!simBin) throw new Error('usage: node wechatpay_v3_peer.js PATH_TO_WXPAY_SIM');

let passed = 0;
let prefix = '';
function check(name, ok, detail) {
  if (!ok) throw new Error(`${prefix}${name}: ${detail}`);
  passed += 1;
  console.log(`ok   ${prefix}${name}`);
}

function until(what, predicate, ms = 15000) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = predicate();
      if (v) return resolve(v);
      if (Date.now() > end) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** A PEM from the ready line: the text itself or the absolute path of its file. */
function pem(thing) {
  return thing.startsWith('-----BEGIN') ? thing : fs.readFileSync(thing, 'utf8');
}

async function untilAsync(what, probe, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function control(ready, method, path, body) {
  const r = await fetch(ready.control_url + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`control ${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The SDK's error for a non-2xx answer: WeChat's `{code, message, detail}` and the status. */
async function failure(promise) {
  try {
    const r = await promise;
    return { status: r.status, data: r.data, resolved: true };
  } catch (e) {
    if (!e.response) return { error: e.message, code: e.code };
    return { status: e.response.status, data: e.response.data, code: e.code };
  }
}

/**
 * The merchant's notify endpoint: every notify is verified with the SDK's Rsa/Formatter against
 * the keys the merchant holds, then its resource decrypted with the SDK's AesGcm; only a verified
 * and decrypted notify is acknowledged (204), anything else refused (401), probes included.
 */
function notifyServer(sdk, keys, apiv3Key) {
  const seen = { verified: [], refused: [] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const h = (n) => req.headers[n.toLowerCase()];
      const [ts, nonce, serial, signature] = ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Serial', 'Wechatpay-Signature'].map(h);
      let event;
      try {
        const key = Object.prototype.hasOwnProperty.call(keys, serial) ? keys[serial] : null;
        if (!key) throw new Error(`unknown Wechatpay-Serial ${serial}`);
        if (!sdk.Rsa.verify(sdk.Formatter.response(ts, nonce, body), signature, key)) throw new Error('bad signature');
        event = JSON.parse(body);
        const r = event.resource;
        event.plain = JSON.parse(sdk.Aes.AesGcm.decrypt(r.ciphertext, apiv3Key, r.nonce, r.associated_data));
      } catch (e) {
        seen.refused.push({ path: req.url, reason: e.message, serial, signature });
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'FAIL', message: e.message }));
        return;
      }
      seen.verified.push({ path: req.url, serial, event });
      res.writeHead(204);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` })));
}

/**
 * The platform certificates from /v3/certificates, that answer verified with them (or with a key
 * the merchant already holds: `held`, the public key during a switchover).
 */
async function downloadCertificates(sdk, ready, held = {}) {
  const { v3 } = ready;
  const downloaded = {};
  const trusted = { ...held };
  // The SDK's CLI downloader's recipe (bin/cli/cert.js): decrypt each certificate into the map
  // the answer is then verified with. `certs` must be non-empty to build a client.
  const bootstrap = new sdk.Wechatpay({
    baseURL: `${ready.base_url}/`, mchid: ready.mch_id, serial: v3.mch_serial,
    privateKey: fs.readFileSync(v3.mch_private_key), certs: { bootstrap: undefined },
  });
  const injector = (raw) => {
    for (const item of JSON.parse(raw).data || []) {
      const c = item.encrypt_certificate;
      downloaded[item.serial_no] = sdk.Aes.AesGcm.decrypt(c.ciphertext, v3.apiv3_key, c.nonce, c.associated_data);
      trusted[item.serial_no] = downloaded[item.serial_no];
    }
    return raw;
  };
  const parse = bootstrap.client.v3.defaults.transformResponse.slice(1);
  const r = await bootstrap.v3.certificates.get({
    transformResponse: [injector, sdk.Decorator.responseVerifier(trusted), ...parse],
  });
  return { answer: r.data, downloaded, signedBy: r.headers['wechatpay-serial'] };
}

async function flow(sdk, ready, mode) {
  const { v3 } = ready;
  const privateKey = sdk.Rsa.from(fs.readFileSync(v3.mch_private_key), sdk.Rsa.KEY_TYPE_PRIVATE);
  const config = { baseURL: `${ready.base_url}/`, mchid: ready.mch_id, serial: v3.mch_serial, privateKey };
  let keys = {};
  if (mode !== 'certificate') {
    check('ready_line_has_a_public_key_id', /^PUB_KEY_ID_/.test(v3.wechatpay_public_key_id || ''), JSON.stringify(v3));
    keys[v3.wechatpay_public_key_id] = pem(v3.wechatpay_public_key);
  }
  if (mode === 'public-key') {
    const certs = await failure(new sdk.Wechatpay({ ...config, certs: keys }).v3.certificates.get());
    check('certificates_are_404_resource_not_exists_for_a_public_key_merchant', certs.status === 404 && certs.data.code === 'RESOURCE_NOT_EXISTS', JSON.stringify(certs));
  } else {
    const { answer, downloaded } = await downloadCertificates(sdk, ready, keys);
    const serials = Object.keys(downloaded);
    check('certificates_downloaded_decrypted_and_their_answer_verified', serials.includes(v3.platform_serial), JSON.stringify(answer));
    const x509 = new crypto.X509Certificate(downloaded[v3.platform_serial]);
    check('downloaded_certificate_carries_its_serial', x509.serialNumber.toUpperCase() === v3.platform_serial.toUpperCase(), x509.serialNumber);
    check('downloaded_certificate_is_the_ready_lines', x509.fingerprint256 === new crypto.X509Certificate(pem(v3.platform_certificate)).fingerprint256, x509.subject);
    const item = answer.data.find((d) => d.serial_no === v3.platform_serial);
    check('certificate_entry_has_times', Boolean(item.effective_time && item.expire_time), JSON.stringify(item));
    Object.assign(keys, downloaded);
  }
  const wechatSerial = mode === 'public-key' ? v3.wechatpay_public_key_id : v3.platform_serial;
  const wxpay = new sdk.Wechatpay({ ...config, certs: keys });

  // The SDK refuses an answer signed by someone else: the same id, another key.
  const { publicKey: stranger } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forged = Object.fromEntries(Object.keys(keys).map((k) => [k, stranger.export({ type: 'spki', format: 'pem' })]));
  const notify = await notifyServer(sdk, keys, v3.apiv3_key);
  try {
    const { openid } = await control(ready, 'POST', '/login', {});
    const no = `V3PEER${mode === 'public-key' ? 'P' : 'C'}${Date.now()}`;
    const order = (body) => ({
      appid: ready.appid, mchid: ready.mch_id, description: '拿铁 Latte', out_trade_no: body.no,
      notify_url: `${notify.url}/pay`, amount: { total: body.total, currency: 'CNY' }, payer: { openid },
    });
    const prepay = await wxpay.v3.pay.transactions.jsapi.post(order({ no, total: 1800 }));
    check('prepay_gives_a_prepay_id_in_a_verified_answer', /^wx/.test(prepay.data.prepay_id || ''), JSON.stringify(prepay.data));

    const spoofed = await failure(new sdk.Wechatpay({ ...config, certs: forged }).v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: ready.mch_id }, out_trade_no: no }));
    check('an_answer_checked_with_the_wrong_key_is_refused_by_the_sdk', spoofed.code === 'EV3_RES_HEADER_SIGNATURE_DIGEST', JSON.stringify(spoofed));

    const { privateKey: strangerKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const badSign = await failure(new sdk.Wechatpay({ ...config, privateKey: strangerKey, certs: keys }).v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: ready.mch_id }, out_trade_no: no }));
    check('a_request_signed_with_another_key_gets_401_sign_error', badSign.status === 401 && badSign.data && badSign.data.code === 'SIGN_ERROR', JSON.stringify(badSign));

    const q0 = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: ready.mch_id }, out_trade_no: no });
    check('query_answers_notpay', q0.data.trade_state === 'NOTPAY', JSON.stringify(q0.data));

    // The payer sheet: wx.requestPayment with the SDK's RSA paySign (its README's JSAPI recipe).
    // The mini-program passes no appId; the signature covers it all the same.
    const pay = {
      timeStamp: `${sdk.Formatter.timestamp()}`,
      nonceStr: sdk.Formatter.nonce(),
      package: `prepay_id=${prepay.data.prepay_id}`,
      signType: 'RSA',
    };
    pay.paySign = sdk.Rsa.sign(sdk.Formatter.joinedByLineFeed(ready.appid, pay.timeStamp, pay.nonceStr, pay.package), privateKey);
    const sheet = (obj) => fetch(`${ready.base_url}/sandbox/v3/requestPayment`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(obj),
    }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const tampered = await sheet({ ...pay, paySign: sdk.Rsa.sign(sdk.Formatter.joinedByLineFeed(ready.appid, pay.timeStamp, pay.nonceStr, 'prepay_id=wx0'), privateKey) });
    check('a_paysign_over_another_package_is_refused_by_the_sheet', !tampered.body.includes('requestPayment:ok'), JSON.stringify(tampered));
    const paid = await sheet(pay);
    check('sdk_paysign_accepted_by_the_payer_sheet', paid.body.includes('requestPayment:ok'), JSON.stringify(paid));

    const tx = await until('the TRANSACTION.SUCCESS notify', () => notify.seen.verified.find((n) => n.event.plain.out_trade_no === no));
    check('payment_notify_verified_and_decrypted_by_the_sdk',
      tx.event.event_type === 'TRANSACTION.SUCCESS' && tx.event.plain.trade_state === 'SUCCESS' && tx.event.plain.amount.total === 1800 && tx.event.plain.payer.openid === openid,
      JSON.stringify(tx.event));
    // Notifies: the public key, or the certificate (in a switchover, until the switch).
    const notifySerial = mode === 'public-key' ? v3.wechatpay_public_key_id : v3.platform_serial;
    check('payment_notify_signed_by_the_modes_key', tx.serial === notifySerial, `${tx.serial}, expected ${notifySerial}`);

    const q1 = await wxpay.v3.pay.transactions.id._transaction_id_.get({ params: { mchid: ready.mch_id }, transaction_id: tx.event.plain.transaction_id });
    check('query_by_transaction_id_says_success', q1.data.trade_state === 'SUCCESS' && q1.data.out_trade_no === no && q1.data.amount.payer_total === 1800, JSON.stringify(q1.data));

    // Close: another order, closed unpaid (204, an empty body the SDK verifies).
    const other = `${no}X`;
    await wxpay.v3.pay.transactions.jsapi.post(order({ no: other, total: 100 }));
    const closed = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.close.post({ mchid: ready.mch_id }, { out_trade_no: other });
    check('close_answers_204', closed.status === 204, `${closed.status} ${JSON.stringify(closed.data)}`);
    const q2 = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: ready.mch_id }, out_trade_no: other });
    check('closed_order_queries_closed', q2.data.trade_state === 'CLOSED', JSON.stringify(q2.data));
    const missing = await failure(wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: ready.mch_id }, out_trade_no: `${no}NONE` }));
    check('unknown_order_is_404_order_not_exist', missing.status === 404 && missing.data.code === 'ORDER_NOT_EXIST', JSON.stringify(missing));

    // Refund, held PROCESSING until settled, then REFUND.SUCCESS.
    await control(ready, 'POST', '/knobs', { hold_refunds: true });
    const rno = `R${no}`;
    const refund = await wxpay.v3.refund.domestic.refunds.post({
      out_trade_no: no, out_refund_no: rno, reason: 'peer', notify_url: `${notify.url}/refund`,
      amount: { refund: 800, total: 1800, currency: 'CNY' },
    });
    check('refund_answers_processing', refund.data.status === 'PROCESSING' && refund.data.amount.refund === 800 && refund.data.out_refund_no === rno, JSON.stringify(refund.data));
    const tooMuch = await failure(wxpay.v3.refund.domestic.refunds.post({
      out_trade_no: no, out_refund_no: `${rno}B`, amount: { refund: 1001, total: 1800, currency: 'CNY' },
    }));
    check('refund_beyond_what_is_left_is_400_invalid_request', tooMuch.status === 400 && tooMuch.data.code === 'INVALID_REQUEST', JSON.stringify(tooMuch));
    await control(ready, 'POST', '/faults', { endpoint: 'v3_refund', kind: 'err_code', err_code: 'NOT_ENOUGH' });
    const short = await failure(wxpay.v3.refund.domestic.refunds.post({
      out_trade_no: no, out_refund_no: `${rno}C`, amount: { refund: 100, total: 1800, currency: 'CNY' },
    }));
    check('refund_with_the_balance_short_is_403_not_enough', short.status === 403 && short.data.code === 'NOT_ENOUGH', JSON.stringify(short));
    const rq0 = await wxpay.v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: rno });
    check('refund_query_says_processing', rq0.data.status === 'PROCESSING', JSON.stringify(rq0.data));
    await control(ready, 'POST', `/refunds/${rno}/settle`, { status: 'SUCCESS' });
    const rn = await until('the REFUND.SUCCESS notify', () => notify.seen.verified.find((n) => n.event.plain.out_refund_no === rno));
    check('refund_notify_verified_and_decrypted_by_the_sdk',
      rn.event.event_type === 'REFUND.SUCCESS' && rn.event.plain.refund_status === 'SUCCESS' && rn.event.plain.amount.refund === 800,
      JSON.stringify(rn.event));
    const rq1 = await wxpay.v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: rno });
    check('refund_query_says_success', rq1.data.status === 'SUCCESS', JSON.stringify(rq1.data));

    // An abnormal refund: the payer's card could not take it; the merchant names a bank card,
    // its fields encrypted with the SDK's Rsa.encrypt (RSA-OAEP) to WeChat's key, named by
    // Wechatpay-Serial.
    const ano = `A${no}`;
    await wxpay.v3.refund.domestic.refunds.post({
      out_trade_no: no, out_refund_no: ano, notify_url: `${notify.url}/refund`, amount: { refund: 200, total: 1800, currency: 'CNY' },
    });
    await control(ready, 'POST', `/refunds/${ano}/settle`, { status: 'ABNORMAL' });
    const an = await until('the REFUND.ABNORMAL notify', () => notify.seen.verified.find((n) => n.event.plain.out_refund_no === ano));
    check('abnormal_refund_notify_verified_and_decrypted', an.event.event_type === 'REFUND.ABNORMAL' && an.event.plain.refund_status === 'ABNORMAL', JSON.stringify(an.event));
    const wechatKey = keys[wechatSerial];
    const apply = await wxpay.v3.refund.domestic.refunds._refund_id_.applyAbnormalRefund.post({
      out_refund_no: ano, type: 'USER_BANK_CARD', bank_type: 'ICBC_DEBIT',
      bank_account: sdk.Rsa.encrypt('6214000000000000000', wechatKey), real_name: sdk.Rsa.encrypt('张三', wechatKey),
    }, { refund_id: an.event.plain.refund_id, headers: { 'Wechatpay-Serial': wechatSerial } });
    check('abnormal_refund_applied_with_fields_the_sdk_encrypted', apply.data.status === 'PROCESSING' && apply.data.out_refund_no === ano, JSON.stringify(apply.data));

    // A probe (WECHATPAY/SIGNTEST/…) fails the SDK's verification: refused, and WeChat records it so.
    await control(ready, 'POST', '/v3/probes', { count: 1 });
    const probe = await until('the probe', () => notify.seen.refused.find((n) => /^WECHATPAY\/SIGNTEST\//.test(n.signature || '')));
    check('probe_refused_by_the_sdks_verification', probe.reason === 'bad signature', JSON.stringify(probe));
    const verdict = await untilAsync('the probe verdict', async () => {
      const list = await control(ready, 'GET', '/notifies');
      return (Array.isArray(list) ? list : list.notifies || []).find((n) => n.probe && n.probe_verdict);
    });
    check('probe_recorded_as_refused', verdict.probe_verdict === 'refused', JSON.stringify(verdict));

    // The trade bill: its download (signed request, unsigned answer) hashes to hash_value.
    const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
    const bill = await wxpay.v3.bill.tradebill.get({ params: { bill_date: today, bill_type: 'ALL' } });
    check('tradebill_gives_a_sha1_and_a_download_url', bill.data.hash_type === 'SHA1' && /^https:/.test(bill.data.download_url || ''), JSON.stringify(bill.data));
    const url = new URL(bill.data.download_url);
    check('download_url_is_on_the_base_url', url.origin === new URL(ready.base_url).origin && url.pathname === '/v3/billdownload/file', bill.data.download_url);
    const file = await wxpay.v3.billdownload.file.get({ params: Object.fromEntries(url.searchParams), responseType: 'arraybuffer' });
    const digest = sdk.Hash.sha1(Buffer.from(file.data));
    check('bill_sha1_matches_hash_value', digest === bill.data.hash_value, `${digest} vs ${bill.data.hash_value}`);
    check('bill_lists_the_paid_order', Buffer.from(file.data).toString('utf8').includes(no), Buffer.from(file.data).toString('utf8').slice(0, 400));
    // WeChat's bills start with a BOM; the SDK's castCsvBill drops 3 bytes before the header.
    const bom = (bytes) => Buffer.from(bytes).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
    check('bill_starts_with_a_bom', bom(file.data), Buffer.from(file.data).subarray(0, 8).toString('hex'));
    const cast = sdk.Formatter.castCsvBill(Buffer.from(file.data));
    check('bill_headers_read_by_the_sdks_castcsvbill', cast.rows.some((r) => r['交易时间'] && r['商户订单号'] === no) && '总交易单数' in cast.summary, JSON.stringify(cast.rows[0]));
    // tar_type=GZIP: the file comes gzipped, hash_value is over the text inflated.
    const gzBill = await wxpay.v3.bill.tradebill.get({ params: { bill_date: today, bill_type: 'ALL', tar_type: 'GZIP' } });
    const gzUrl = new URL(gzBill.data.download_url);
    const gz = await wxpay.v3.billdownload.file.get({ params: Object.fromEntries(gzUrl.searchParams), responseType: 'arraybuffer' });
    const inflated = zlib.gunzipSync(Buffer.from(gz.data));
    check('gzip_bill_inflates_to_text_whose_sha1_matches', sdk.Hash.sha1(inflated) === gzBill.data.hash_value && inflated.toString('utf8').includes(no), `${sdk.Hash.sha1(inflated)} vs ${gzBill.data.hash_value}`);
    const flowBill = await wxpay.v3.bill.fundflowbill.get({ params: { bill_date: today } });
    const flowUrl = new URL(flowBill.data.download_url);
    const flow = await wxpay.v3.billdownload.file.get({ params: Object.fromEntries(flowUrl.searchParams), responseType: 'arraybuffer' });
    const flowDigest = sdk.Hash.sha1(Buffer.from(flow.data));
    check('fundflowbill_sha1_matches_hash_value', flowBill.data.hash_type === 'SHA1' && flowDigest === flowBill.data.hash_value, `${flowDigest} vs ${JSON.stringify(flowBill.data)}`);
    const flowCast = sdk.Formatter.castCsvBill(Buffer.from(flow.data));
    check('fundflowbill_starts_with_a_bom_and_its_headers_read_by_castcsvbill', bom(flow.data) && flowCast.rows.length > 0 && flowCast.rows.every((r) => r['记账时间']), JSON.stringify(flowCast.rows[0]));
    check('gzip_bill_inflates_to_a_file_starting_with_a_bom', bom(inflated), inflated.subarray(0, 8).toString('hex'));
    if (mode === 'switchover') {
      // Answers follow the key the request's Wechatpay-Serial names; the switch moves notifies
      // to the public key. The merchant accepts both all along.
      for (const serial of [v3.platform_serial, v3.wechatpay_public_key_id]) {
        const q = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: ready.mch_id }, out_trade_no: no, headers: { 'Wechatpay-Serial': serial } });
        check(`answer_signed_with_the_key_wechatpay_serial_names_${serial.startsWith('PUB_KEY_ID_') ? 'public_key' : 'certificate'}`, q.headers['wechatpay-serial'] === serial, `${q.headers['wechatpay-serial']} for ${serial}`);
      }
      const unnamed = async () => (await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: ready.mch_id }, out_trade_no: no })).headers['wechatpay-serial'];
      const beforeSwitch = await unnamed();
      check('answer_naming_no_serial_signed_by_the_certificate_before_the_switch', beforeSwitch === v3.platform_serial, beforeSwitch);
      await control(ready, 'POST', '/v3/keys/switch', {});
      const afterSwitch = await unnamed();
      check('answer_naming_no_serial_signed_by_the_public_key_after_the_switch', afterSwitch === v3.wechatpay_public_key_id, afterSwitch);
      const next = `${no}S`;
      await wxpay.v3.pay.transactions.jsapi.post(order({ no: next, total: 300 }));
      await control(ready, 'POST', `/orders/${next}/pay`, {});
      const sw = await until('the notify after the switch', () => notify.seen.verified.find((n) => n.event.plain.out_trade_no === next));
      check('notify_after_the_switch_signed_by_the_public_key', sw.serial === v3.wechatpay_public_key_id, sw.serial);
    }
    if (mode === 'certificate') {
      // A new platform certificate: listed at once (WeChat lists one ~24 h before using it),
      // the download still signed by the held one; the merchant downloads again and keeps
      // both; activated, the new one signs the notifies.
      const { serial } = await control(ready, 'POST', '/v3/keys/rotate', {});
      const again = await downloadCertificates(sdk, ready, { [v3.platform_serial]: keys[v3.platform_serial] });
      check('rotated_certificate_listed_beside_the_old_one', Boolean(again.downloaded[serial] && again.downloaded[v3.platform_serial]) && serial !== v3.platform_serial, JSON.stringify(Object.keys(again.downloaded)));
      check('download_after_rotation_signed_by_the_held_certificate', again.signedBy === v3.platform_serial, `${again.signedBy} (held ${v3.platform_serial})`);
      Object.assign(keys, again.downloaded);
      await control(ready, 'POST', '/v3/keys/activate', {});
      // The SDK copies `certs` when a client is built: a new client for the new map.
      const renewed = new sdk.Wechatpay({ ...config, certs: keys });
      const next = `${no}R`;
      await renewed.v3.pay.transactions.jsapi.post(order({ no: next, total: 300 }));
      await control(ready, 'POST', `/orders/${next}/pay`, {});
      const rn2 = await until('the notify after the rotation', () => notify.seen.verified.find((n) => n.event.plain.out_trade_no === next));
      check('notify_after_rotation_signed_by_the_new_certificate', rn2.serial === serial, `${rn2.serial} (new ${serial})`);
    }
  } finally {
    notify.server.close();
  }
}

async function main(ready, mode) {
  prefix = `${mode}: `;
  const sdk = require('wechatpay-axios-plugin');
  await flow(sdk, ready, mode);
}

const running = new Set();

async function runMode(mode) {
  const sim = spawn(simBin, ['serve', '--time-scale', '100', '--v3-keys', mode], { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH } });
  running.add(sim);
  try {
    const line = await new Promise((resolve, reject) => {
      readline.createInterface({ input: sim.stdout }).once('line', resolve);
      sim.once('exit', (code) => reject(new Error(`wxpay-sim exited (${code}) before its ready line`)));
    });
    const ready = JSON.parse(line);
    // Node reads NODE_EXTRA_CA_CERTS at start-up: run the checks in a child that has it.
    const child = spawn(process.execPath, [__filename, simBin, '--ready', line, '--mode', mode], {
      stdio: 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ready.ca_file },
    });
    running.add(child);
    const status = await new Promise((resolve) => child.once('exit', resolve));
    running.delete(child);
    if (status !== 0) throw new Error(`v3 peer checks failed (${mode})`);
  } finally {
    sim.kill('SIGTERM');
    running.delete(sim);
  }
}

async function run() {
  const watchdog = setTimeout(() => {
    console.error('v3 peer: timed out');
    for (const p of running) p.kill('SIGKILL');
    process.exit(1);
  }, 100000);
  try {
    for (const mode of MODES) await runMode(mode);
  } finally {
    clearTimeout(watchdog);
  }
}

const at = process.argv.indexOf('--ready');
if (at > 0) {
  const mode = process.argv[process.argv.indexOf('--mode') + 1];
  main(JSON.parse(process.argv[at + 1]), mode).then(
    () => console.log(`wechatpay-axios-plugin (${mode}): ${passed} passed, 0 failed`),
    (e) => {
      // An axios error: what WeChat answered, not the whole request object.
      const answer = e.response ? ` → HTTP ${e.response.status} ${JSON.stringify(e.response.data)}` : '';
      console.error(`${e.stack}${e.code ? ` (${e.code})` : ''}${answer}`);
      process.exit(1);
    },
  );
} else {
  run().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
