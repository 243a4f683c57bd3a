'use strict';
// The recipes of node/recipes/ as written, each receiving real notifies from `wxpay-sim serve`:
// an order placed with the simulator (unifiedorder in v2, JSAPI下单 in v3) whose notify_url is
// the recipe, paid through the control API, and the simulator's own record of the notify shows
// the recipe's answer; the recipe's order store shows the payment. The recipes listen on plain
// HTTP as behind a proxy; a TLS front with the simulator's server certificate stands for that
// proxy (v3's notify_url must be https). The cloud-function forms run behind a stand-in for
// their platform: the HTTP access service (the body base64-encoded in `event`), and the CloudBase
// functions framework (`event` is the body as it parses it, `context.httpContext` the request).
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');

const wxpay = require('../../pkg');
const v3 = require('../../pkg/v3');
const { WAIT_MS, startSim, client, control } = require('./sim');

const RECIPES = path.join(__dirname, '..', 'recipes');
let sim;
let ready;
let send;
let openid;
let tmp;
const logged = [];
const warn = console.warn;

before(async () => {
  sim = await startSim('public-key');
  ready = sim.ready;
  send = client(fs.readFileSync(ready.ca_file));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-recipes-'));
  const pem = ready.v3.wechatpay_public_key;
  const pubKeyFile = pem.startsWith('-----BEGIN') ? path.join(tmp, 'pub_key.pem') : pem;
  if (pubKeyFile !== pem) fs.writeFileSync(pubKeyFile, pem);
  // What settings.js reads, as a deployment would set it.
  Object.assign(process.env, {
    WXPAY_APPID: ready.appid, WXPAY_MCH_ID: ready.mch_id, WXPAY_API_KEY: ready.api_key,
    WXPAY_APIV3_KEY: ready.v3.apiv3_key, WXPAY_PUBLIC_KEY_ID: ready.v3.wechatpay_public_key_id, WXPAY_PUBLIC_KEY: pubKeyFile,
  });
  ({ openid } = await control(ready, 'POST', '/login', {}));
  console.warn = (m) => logged.push(String(m));
});

after(async () => {
  console.warn = warn;
  if (sim) await sim.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const listening = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
/** Closed now: the simulator keeps its connections open, and keeps retrying a refused notify. */
const closing = (server) => new Promise((resolve) => {
  server.close(resolve);
  server.closeAllConnections();
});

/** A node:http server calling `handle(req, rawBody)` → `{ statusCode, headers, body }`: a platform's stand-in. */
function platform(handle) {
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const { statusCode, headers, body } = await handle(req, Buffer.concat(chunks));
      res.writeHead(statusCode, headers).end(body);
    });
  });
}

/** Each recipe started as its file says, on a free port: `{ port, close }`. */
const HOSTS = {
  express: async () => {
    const server = await new Promise((resolve) => {
      const s = require(path.join(RECIPES, 'express')).app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return { port: server.address().port, close: () => closing(server) };
  },
  koa: async () => {
    const server = await new Promise((resolve) => {
      const s = require(path.join(RECIPES, 'koa')).app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return { port: server.address().port, close: () => closing(server) };
  },
  fastify: async () => {
    const app = require(path.join(RECIPES, 'fastify')).build();
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: app.server.address().port, close: () => app.close() };
  },
  'node:http': async () => {
    const server = await listening(require(path.join(RECIPES, 'http')).server);
    return { port: server.address().port, close: () => closing(server) };
  },
  // The HTTP access service (HTTP 访问服务) / API gateway: the body base64-encoded, as it does for XML and JSON.
  'cloud function (HTTP-triggered)': async () => {
    const { main } = require(path.join(RECIPES, 'cloudfunction-http'));
    const server = await listening(platform((req, body) => main({
      httpMethod: req.method, path: req.url, headers: req.headers, body: body.toString('base64'), isBase64Encoded: true,
    }, {})));
    return { port: server.address().port, close: () => closing(server) };
  },
  // @cloudbase/functions-framework (koa-body): text/* arrives as the text, JSON as the parsed object.
  'cloud function (CloudBase framework)': async () => {
    const { main } = require(path.join(RECIPES, 'cloudfunction-cloudbase'));
    const server = await listening(platform((req, body) => {
      const type = req.headers['content-type'] || '';
      const event = type.startsWith('application/json') ? JSON.parse(body.toString('utf8')) : type.startsWith('text/') ? body.toString('utf8') : body;
      return main(event, { httpContext: { url: `http://${req.headers.host}${req.url}`, httpMethod: req.method, headers: req.headers } });
    }));
    return { port: server.address().port, close: () => closing(server) };
  },
};

/** The proxy in front: HTTPS with the simulator's server certificate, passing requests through unchanged. */
async function tlsFront(port) {
  const server = https.createServer({
    cert: fs.readFileSync(path.join(sim.dir, 'server_cert.pem')), key: fs.readFileSync(path.join(sim.dir, 'server_key.pem')),
  }, (req, res) => {
    const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await listening(server);
  return { url: `https://127.0.0.1:${server.address().port}`, close: () => closing(server) };
}

/** The simulator's record of the notifies about `no`, once `done(attempts)` holds (polled, with a deadline). */
async function notifiesOf(no, done) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const listed = await control(ready, 'GET', `/notifies?key=${encodeURIComponent(no)}`);
    const attempts = Array.isArray(listed) ? listed : listed.notifies;
    if (done(attempts)) return attempts;
    if (Date.now() > end) assert.fail(`no such notify for ${no} within ${WAIT_MS} ms: ${JSON.stringify(attempts)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const acknowledged = (attempts) => attempts.some((a) => a.acknowledged);

let serial = 0;
const orderNo = (v) => `RCP${v}${Date.now()}${serial++}`;

/** A v2 order at the simulator whose notify goes to `base`, stored in the recipe's orders, then paid. */
async function payV2(base, orders) {
  const no = orderNo('2');
  const config = { appId: ready.appid, mchId: ready.mch_id, key: ready.api_key };
  const xml = wxpay.buildUnifiedOrder({ body: 'recipe', outTradeNo: no, totalFee: 1200, spbillCreateIp: '127.0.0.1', notifyUrl: `${base}/wxpay/notify`, openid }, config);
  const answer = await send({ method: 'POST', url: `${ready.base_url}/pay/unifiedorder`, headers: { 'content-type': 'text/xml' }, body: xml });
  assert.match(wxpay.parseUnifiedOrderResponse(answer.body, config).prepayId, /^wx/);
  orders.set(no, { outTradeNo: no, totalFee: 1200, openid, signType: 'MD5', status: 'NOTPAY' });
  await control(ready, 'POST', `/orders/${no}/pay`, {});
  return no;
}

/** The same in v3 (JSAPI下单, signed by the package with the simulator's merchant key). */
async function payV3(base, orders) {
  const no = orderNo('3');
  const merchant = new v3.Merchant({
    appId: ready.appid, mchId: ready.mch_id, serialNo: ready.v3.mch_serial, privateKey: fs.readFileSync(ready.v3.mch_private_key), apiBase: ready.base_url,
  });
  const answer = await send(merchant.buildJsapiPrepay({ description: 'recipe', outTradeNo: no, total: 1800, notifyUrl: `${base}/wxpay/v3/notify`, openid }));
  assert.equal(answer.status, 200, answer.body.toString());
  orders.set(no, { outTradeNo: no, totalFee: 1800, openid, status: 'NOTPAY' });
  await control(ready, 'POST', `/orders/${no}/pay`, {});
  return no;
}

for (const [name, start] of Object.entries(HOSTS)) {
  describe(`recipe: ${name}`, () => {
    let host;
    let front;
    const { orders } = require(path.join(RECIPES, 'orders'));

    before(async () => {
      host = await start();
      front = await tlsFront(host.port);
    });
    after(async () => {
      if (front) await front.close();
      if (host) await host.close();
    });

    test('a v2 payment notify from wxpay-sim: verified, judged, stored, then SUCCESS', async () => {
      const no = await payV2(front.url, orders);
      const attempts = await notifiesOf(no, acknowledged);
      const ack = attempts.find((a) => a.acknowledged);
      assert.deepEqual(wxpay.parseXml(ack.reply), { return_code: 'SUCCESS', return_msg: 'OK' });
      assert.equal(attempts.filter((a) => a.acknowledged).length, 1);
      assert.equal(orders.get(no).status, 'PAID');
      assert.match(orders.get(no).transactionId, /^\d+$/);
    });

    if (name === 'cloud function (CloudBase framework)') {
      test('a v3 payment notify: the framework parsed the JSON, so it is refused (500) and the log says why', async () => {
        logged.length = 0;
        const no = await payV3(front.url, orders);
        const attempts = await notifiesOf(no, (list) => list.some((a) => a.status !== null && a.status !== undefined && a.status !== 0));
        assert.equal(attempts[0].status, 500);
        assert.ok(!acknowledged(attempts));
        assert.equal(orders.get(no).status, 'NOTPAY');
        assert.ok(logged.some((m) => /parsed the JSON body/.test(m) && /cloudfunction-http\.js/.test(m)), logged.join('\n'));
      });
    } else {
      test('a v3 payment notify from wxpay-sim: verified over the raw bytes, decrypted, judged, stored, then 204', async () => {
        const no = await payV3(front.url, orders);
        const attempts = await notifiesOf(no, acknowledged);
        assert.equal(attempts.find((a) => a.acknowledged).status, 204);
        assert.equal(orders.get(no).status, 'PAID');
        assert.match(orders.get(no).transactionId, /^\d+$/);
      });
    }

    test('a notify for an order it does not have is refused, and not stored', async () => {
      logged.length = 0;
      const no = await payV2(front.url, new Map()); // placed, never stored on the recipe's side
      const attempts = await notifiesOf(no, (list) => list.length > 0 && list[0].reply);
      assert.deepEqual(wxpay.parseXml(attempts[0].reply), { return_code: 'FAIL', return_msg: 'FAIL' });
      assert.ok(!orders.has(no));
      assert.ok(logged.some((m) => m.includes(`for ${no} refused: ORDER_NOT_FOUND`)), logged.join('\n'));
    });
  });
}

describe('the settings fail closed, naming the variable', () => {
  /** A recipe's handler in a fresh process with `name` unset: its answer and its log. */
  function without(name, code) {
    const env = { ...process.env };
    delete env[name];
    return JSON.parse(execFileSync(process.execPath, ['-e', `
      const logs = []; console.warn = (m) => logs.push(m);
      (async () => { const answer = await (${code}); process.stdout.write(JSON.stringify({ answer, logs })); })();`], { cwd: RECIPES, env, encoding: 'utf8' }));
  }

  test('v2: FAIL, and the log names WXPAY_API_KEY (never a value)', () => {
    const { answer, logs } = without('WXPAY_API_KEY', "require('./notify-v2').paymentNotifyV2('<xml></xml>')");
    assert.deepEqual(wxpay.parseXml(answer), { return_code: 'FAIL', return_msg: 'FAIL' });
    assert.equal(logs.length, 1);
    assert.match(logs[0], /SETTING_MISSING: WXPAY_API_KEY is not set/);
    assert.ok(!logs[0].includes(ready.v3.apiv3_key) && !logs[0].includes(ready.api_key));
  });

  test('v3: 500, and the log names WXPAY_APIV3_KEY', () => {
    const { answer, logs } = without('WXPAY_APIV3_KEY', "require('./notify-v3').paymentNotifyV3({}, '{}')");
    assert.equal(answer.status, 500);
    assert.match(logs[0], /SETTING_MISSING: WXPAY_APIV3_KEY is not set/);
  });
});

// Real Node 16 and 18 binaries (WXPAY_TEST_NODE_BINS, set by scripts/test-wasm): the README's v3
// examples use the global fetch of Node 18; on 16, recipes/send.js pays the same way.
const otherNodes = (process.env.WXPAY_TEST_NODE_BINS || '').split(path.delimiter).filter(Boolean);
describe('v3 paying without fetch (recipes/send.js), on the Nodes wxpay/v3 supports', () => {
  for (const bin of [process.execPath, ...otherNodes]) {
    test(`on ${bin === process.execPath ? process.version : path.basename(path.dirname(path.dirname(bin)))}: JSAPI下单 sent, the answer verified, the payment params made`, async () => {
      const no = orderNo('S');
      const script = `
        const fs = require('node:fs');
        const v3 = require(${JSON.stringify(path.join(__dirname, '..', '..', 'pkg', 'v3'))});
        const { send } = require(${JSON.stringify(path.join(RECIPES, 'send'))});
        const r = ${JSON.stringify(ready)};
        const merchant = new v3.Merchant({ appId: r.appid, mchId: r.mch_id, serialNo: r.v3.mch_serial, privateKey: fs.readFileSync(r.v3.mch_private_key), apiBase: r.base_url });
        const keys = new v3.KeySet({ publicKeys: { [process.env.WXPAY_PUBLIC_KEY_ID]: fs.readFileSync(process.env.WXPAY_PUBLIC_KEY) } });
        send(merchant.buildJsapiPrepay({ description: 'node', outTradeNo: ${JSON.stringify(no)}, total: 100, notifyUrl: 'https://shop.example.com/wxpay/v3/notify', openid: ${JSON.stringify(openid)} }))
          .then((answer) => {
            const { prepayId } = keys.parseJsapiPrepayResponse(answer);
            const params = merchant.paymentParams({ prepayId });
            process.stdout.write(JSON.stringify([process.version, typeof fetch, params.signType, params.package.startsWith('prepay_id=wx')]));
          });`;
      const { stdout } = await require('node:util').promisify(require('node:child_process').execFile)(bin, ['-e', script], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: ready.ca_file }, encoding: 'utf8', timeout: WAIT_MS,
      });
      const [version, fetchType, signType, prepaid] = JSON.parse(stdout);
      if (version.startsWith('v16.')) assert.equal(fetchType, 'undefined', 'Node 16 has no global fetch');
      assert.deepEqual([signType, prepaid], ['RSA', true], version);
    });
  }
});
