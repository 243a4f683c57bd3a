'use strict';
// tenpay (Node, from npm; nobody here wrote it) driving `wxpay-sim serve`, as sim/README.md tells
// an integrator to point it: the URLs rewritten to the ready line's base_url, the CA through
// NODE_EXTRA_CA_CERTS (this script re-runs itself with it), the client certificate as the p12
// with the mch_id as its password. Checks: unifiedorder gives a prepay_id, orderquery answers,
// tenpay's paySign passes the simulated WeChat client, a wrong key is refused 签名错误,
// the payment notify passes tenpay's own middleware (signature, appid, mch_id), refund with the
// client certificate, the refund notify decrypted by tenpay's refund middleware, refundquery.
//
// node tenpay_peer.js PATH_TO_WXPAY_SIM
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const readline = require('node:readline');

const simBin = process.argv[2];
if (!simBin) throw new Error('usage: node tenpay_peer.js PATH_TO_WXPAY_SIM');

let passed = 0;
function check(name, ok, detail) {
  if (!ok) throw new Error(`${name}: ${detail}`);
  passed += 1;
  console.log(`ok   ${name}`);
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

async function control(ready, method, path, body) {
  const r = await fetch(ready.control_url + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  return r.json();
}

/** A notify endpoint served by tenpay's Express middleware, on a plain node:http server. */
function notifyServer(api) {
  const seen = { pay: [], refund: [] };
  const server = http.createServer((req, res) => {
    const kind = req.url === '/refund-notify' ? 'refund' : 'pay';
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const shimReq = { body };
      const shimRes = {
        header: (k, v) => res.setHeader(k, v),
        send: (xml) => res.end(xml),
      };
      api.middlewareForExpress(kind)(shimReq, shimRes, () => {
        seen[kind].push(shimReq.weixin);
        shimRes.reply('');
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` })));
}

async function main(ready) {
  const tenpay = require('tenpay');
  const boot = new tenpay({ appid: ready.appid, mchid: ready.mch_id, partnerKey: ready.api_key });
  const notify = await notifyServer(boot);
  const api = new tenpay({
    appid: ready.appid,
    mchid: ready.mch_id,
    partnerKey: ready.api_key,
    pfx: fs.readFileSync(ready.client_p12),
    notify_url: notify.url + '/notify',
    refund_url: notify.url + '/refund-notify',
  });
  for (const k of Object.keys(api.urls)) api.urls[k] = api.urls[k].replace('https://api.mch.weixin.qq.com', ready.base_url);
  try {
    // An openid of this appid, as wx.login() + jscode2session would give it.
    const { openid } = await control(ready, 'POST', '/login', {});
    const no = 'TENPAY' + Date.now();
    const order = await api.unifiedOrder({ out_trade_no: no, body: '拿铁 Latte', total_fee: 1800, openid, trade_type: 'JSAPI' });
    check('unifiedorder_gives_a_prepay_id', /^wx/.test(order.prepay_id || ''), JSON.stringify(order));
    const pay = api.getPayParamsByPrepay({ prepay_id: order.prepay_id });
    const q = await api.orderQuery({ out_trade_no: no });
    check('orderquery_answers_notpay', q.trade_state === 'NOTPAY', JSON.stringify(q));
    // Signed with the wrong key: WeChat answers return_code=FAIL / 签名错误, unsigned, and tenpay
    // throws its return_msg.
    const wrong = new tenpay({ appid: ready.appid, mchid: ready.mch_id, partnerKey: '0123456789abcdefghijklmnopqrstuv' });
    for (const k of Object.keys(wrong.urls)) wrong.urls[k] = wrong.urls[k].replace('https://api.mch.weixin.qq.com', ready.base_url);
    const refusal = await wrong.orderQuery({ out_trade_no: no }).then((a) => 'answered: ' + JSON.stringify(a), (e) => e.message);
    check('wrong_key_is_answered_return_code_fail', refusal.startsWith('签名错误'), refusal);
    // The simulated WeChat client checks tenpay's paySign as wx.requestPayment would, then pays.
    const sheet = await fetch(ready.base_url + '/sandbox/requestPayment', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pay),
    }).then((r) => r.json());
    check('paysign_accepted_by_the_wechat_client', sheet.errMsg === 'requestPayment:ok', JSON.stringify(sheet));
    const paid = await until('the payment notify', () => notify.seen.pay.find((n) => n.out_trade_no === no));
    check('payment_notify_passes_tenpay_middleware', paid.result_code === 'SUCCESS' && paid.total_fee === '1800', JSON.stringify(paid));
    const refund = await api.refund({ out_trade_no: no, out_refund_no: 'R' + no, total_fee: 1800, refund_fee: 800 });
    check('refund_with_the_p12_client_certificate', refund.result_code === 'SUCCESS' && refund.refund_fee === '800', JSON.stringify(refund));
    const rn = await until('the refund notify', () => notify.seen.refund.find((n) => n.req_info && n.req_info.out_refund_no === 'R' + no));
    check('refund_notify_decrypts_with_tenpay', rn.req_info.refund_status === 'SUCCESS' && rn.req_info.refund_fee === '800', JSON.stringify(rn.req_info));
    const rq = await api.refundQuery({ out_refund_no: 'R' + no });
    check('refundquery_says_success', rq.refund_status_0 === 'SUCCESS', JSON.stringify(rq));
  } finally {
    notify.server.close();
  }
}

async function run() {
  const sim = spawn(simBin, ['serve', '--time-scale', '100'], { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH } });
  const watchdog = setTimeout(() => {
    console.error('tenpay peer: timed out');
    sim.kill('SIGKILL');
    process.exit(1);
  }, 60000);
  try {
    const line = await new Promise((resolve, reject) => {
      readline.createInterface({ input: sim.stdout }).once('line', resolve);
      sim.once('exit', (code) => reject(new Error(`wxpay-sim exited (${code}) before its ready line`)));
    });
    const ready = JSON.parse(line);
    // Node reads NODE_EXTRA_CA_CERTS at start-up: run the checks in a child that has it.
    const child = spawnSync(process.execPath, [__filename, simBin, '--ready', line], {
      stdio: 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ready.ca_file },
    });
    if (child.status !== 0) throw new Error('tenpay peer checks failed');
  } finally {
    clearTimeout(watchdog);
    sim.kill('SIGTERM');
  }
}

const at = process.argv.indexOf('--ready');
if (at > 0) {
  main(JSON.parse(process.argv[at + 1])).then(
    () => console.log(`tenpay: ${passed} passed, 0 failed`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
} else {
  run().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
