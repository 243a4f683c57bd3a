// Headless Chromium on the simulator's control page: a person pays an order there, sees the
// merchant's answers to each notify attempt (a refusal, then SUCCESS), sees a forged call marked
// INVALID, and settles a refund CHANGE then SUCCESS.
//
// Starts `wxpay-sim serve` (WXPAY_SIM_BIN) and reads its ready line, plays the merchant with
// independent code (MD5 signing by node:crypto, mutual TLS by node:https with the simulator's
// client certificate), then drives the page at control_url. Everything it starts is stopped at
// the end, and the whole run is bounded by a watchdog.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { chromium } from "playwright-core";
// WeChat Pay v2 signing and XML written from the rules with node:crypto, not the project's core.
import { sign, xml } from "../../tests/js/wechat-v2.js";

const BIN = process.env.WXPAY_SIM_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SCREENSHOT = process.env.WXPAY_SIM_SCREENSHOT;
const LIMIT_MS = 120_000;

if (!BIN) throw new Error("set WXPAY_SIM_BIN to the wxpay-sim binary");

const tmp = mkdtempSync(path.join(os.tmpdir(), "wxpay-sim-e2e-"));
let sim;
let browser;
let merchant;

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  if (merchant) merchant.close();
  if (sim && sim.exitCode === null) {
    sim.kill("SIGTERM");
    await Promise.race([new Promise((r) => sim.once("exit", r)), sleep(5000)]);
    if (sim.exitCode === null) sim.kill("SIGKILL");
  }
  rmSync(tmp, { recursive: true, force: true });
}

const watchdog = setTimeout(async () => {
  console.error(`control page test did not finish within ${LIMIT_MS} ms`);
  await cleanup();
  process.exit(1);
}, LIMIT_MS);

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function post(url, body, tls) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: "POST", ...tls, headers: { "content-type": "text/xml" }, timeout: 20_000 }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve(data));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(body);
  });
}

async function control(ready, method, p, body) {
  const r = await fetch(ready.control_url + p, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

async function main() {
  sim = spawn(BIN, ["serve", "--time-scale", "1000"], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, RUST_LOG: "warn" } });
  const first = await Promise.race([
    new Promise((resolve) => readline.createInterface({ input: sim.stdout }).once("line", resolve)),
    sleep(30_000).then(() => { throw new Error("no ready line within 30 s"); }),
  ]);
  const ready = JSON.parse(first);
  const ca = readFileSync(ready.ca_file);
  const tls = { ca };
  const mtls = { ca, cert: readFileSync(ready.client_cert), key: readFileSync(ready.client_key) };

  // The merchant: the first payment notify is refused (the page must show why), then SUCCESS.
  let refusals = 1;
  merchant = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const refuse = req.url === "/notify" && refusals-- > 0;
      res.setHeader("content-type", "text/xml");
      res.end(refuse
        ? "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[merchant busy: database locked]]></return_msg></xml>"
        : "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>");
    });
  });
  await new Promise((r) => merchant.listen(0, "127.0.0.1", r));
  const notifyBase = `http://127.0.0.1:${merchant.address().port}`;

  const { openid } = await control(ready, "POST", "/login", {});
  const no = "E2E" + Date.now();
  const order = {
    appid: ready.appid, mch_id: ready.mch_id, nonce_str: "e2enonce" + Date.now(), body: "page test",
    out_trade_no: no, total_fee: "520", spbill_create_ip: "127.0.0.1", notify_url: notifyBase + "/notify",
    trade_type: "JSAPI", openid,
  };
  order.sign = sign(order, ready.api_key);
  const answer = await post(ready.base_url + "/pay/unifiedorder", xml(order), tls);
  if (!answer.includes("<prepay_id>")) throw new Error("unifiedorder: " + answer);
  // A forged call: the page must mark its signature INVALID.
  const forged = { ...order, total_fee: "1", nonce_str: "forged" + Date.now() };
  const refused = await post(ready.base_url + "/pay/unifiedorder", xml(forged), tls);
  if (!refused.includes("签名错误") || refused.includes("<sign>")) throw new Error("forged unifiedorder: " + refused);

  browser = await chromium.launchPersistentContext(path.join(tmp, "chromium"), {
    executablePath: CHROMIUM,
    viewport: { width: 1400, height: 1000 },
    headless: true,
    timeout: 30_000,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const page = browser.pages()[0] || (await browser.newPage());
  page.setDefaultTimeout(30_000);
  // Plain HTTP: a person opens it without trusting the CA first.
  await page.goto(ready.control_url);
  await page.locator("#who", { hasText: ready.mch_id }).waitFor();

  const calls = page.locator("#calls tbody tr");
  await calls.filter({ hasText: "签名错误" }).filter({ hasText: "INVALID" }).first().waitFor();
  await calls.filter({ hasText: "/pay/unifiedorder" }).filter({ hasText: "valid" }).filter({ hasText: "SUCCESS" }).first().waitFor();

  const row = page.locator("#orders tbody tr", { hasText: no });
  await row.filter({ hasText: "NOTPAY" }).waitFor();
  await row.getByRole("button", { name: "Pay" }).click();
  await page.locator("#orders tbody tr", { hasText: no }).filter({ hasText: "SUCCESS" }).waitFor();
  const attempts = page.locator("#notifies tbody tr", { hasText: no });
  await attempts.filter({ hasText: "merchant busy: database locked" }).filter({ hasText: "no" }).waitFor();
  await attempts.filter({ hasText: "<return_code><![CDATA[SUCCESS]]>" }).filter({ hasText: "yes" }).waitFor();

  // A refund held PROCESSING, then settled by hand on the page: CHANGE, then SUCCESS.
  await control(ready, "POST", "/knobs", { hold_refunds: true });
  const refund = {
    appid: ready.appid, mch_id: ready.mch_id, nonce_str: "e2erefund" + Date.now(), out_trade_no: no,
    out_refund_no: "R" + no, total_fee: "520", refund_fee: "520", notify_url: notifyBase + "/refund-notify",
  };
  refund.sign = sign(refund, ready.api_key);
  const accepted = await post(ready.base_url + "/secapi/pay/refund", xml(refund), mtls);
  if (!accepted.includes("<refund_id>")) throw new Error("refund: " + accepted);
  const refundRow = () => page.locator("#refunds tbody tr", { hasText: "R" + no });
  await refundRow().filter({ hasText: "PROCESSING" }).waitFor();
  await refundRow().getByRole("button", { name: "CHANGE" }).click();
  await refundRow().filter({ hasText: "CHANGE" }).filter({ has: page.getByRole("button", { name: "SUCCESS" }) }).waitFor();
  await refundRow().getByRole("button", { name: "SUCCESS" }).click();
  await page.locator("#refunds tbody tr", { hasText: "R" + no }).filter({ hasText: "SUCCESS" }).waitFor();
  await page.locator("#notifies tbody tr", { hasText: "R" + no }).filter({ hasText: "refund" }).filter({ hasText: "yes" }).first().waitFor();
  await page.locator("#calls tbody tr", { hasText: "/secapi/pay/refund" }).filter({ hasText: "presented" }).waitFor();

  const stored = await control(ready, "GET", "/refunds");
  if (!stored.some((r) => r.out_refund_no === "R" + no && r.refund_status === "SUCCESS")) throw new Error("refund not SUCCESS: " + JSON.stringify(stored));
  if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log("control page: paid by hand, merchant answers shown, forged call INVALID, refund settled CHANGE then SUCCESS");
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(failed ? 1 : 0);
