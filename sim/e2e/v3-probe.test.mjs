// Headless Chromium on the simulator's control page, API v3: a merchant whose notify handler is
// `wxpay/v3`'s `openNotification` (the committed package, pkg/v3.js) with the simulator's v3 keys
// acknowledges a real TRANSACTION.SUCCESS (200) and refuses a WECHATPAY/SIGNTEST/ probe (401, the
// package's error code as its reply); the control API records the probe as refused, and the page
// shows the probe row "probe refused" with the merchant's reply. A screenshot is saved to
// WXPAY_SIM_SCREENSHOT (default target/screenshots/sim-v3-probe.png).
//
// Starts `wxpay-sim serve --v3-keys public-key` (WXPAY_SIM_BIN) in a throwaway state directory
// (the merchant serves HTTPS with its server certificate, as `wxpay/v3` wants an https notify
// URL). Everything it starts is stopped at the end; the run is bounded by a watchdog.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const v3 = require("../../pkg/v3.js");

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = process.env.WXPAY_SIM_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SCREENSHOT = process.env.WXPAY_SIM_SCREENSHOT || path.join(ROOT, "target", "screenshots", "sim-v3-probe.png");
const LIMIT_MS = 120_000;
const WAIT_MS = 20_000;

if (!BIN) throw new Error("set WXPAY_SIM_BIN to the wxpay-sim binary");

const tmp = mkdtempSync(path.join(os.tmpdir(), "wxpay-sim-v3-probe-"));
let sim;
let browser;
let merchant;

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  if (merchant) merchant.close();
  if (sim && sim.exitCode === null) {
    const exited = new Promise((r) => sim.once("exit", r));
    sim.kill("SIGTERM");
    const late = setTimeout(() => sim.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(late);
  }
  rmSync(tmp, { recursive: true, force: true });
}

const watchdog = setTimeout(async () => {
  console.error(`v3 probe page test did not finish within ${LIMIT_MS} ms`);
  await cleanup();
  process.exit(1);
}, LIMIT_MS);

function send(request, ca) {
  return new Promise((resolve, reject) => {
    const req = https.request(request.url, { method: request.method, headers: request.headers, ca, timeout: WAIT_MS }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(request.body);
  });
}

async function control(ready, method, p, body) {
  const r = await fetch(ready.control_url + p, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** Polls the control API until `pick` finds something, or fails at the deadline. */
async function until(what, probe) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main() {
  const dir = path.join(tmp, "state");
  sim = spawn(BIN, ["serve", "--state-dir", dir, "--time-scale", "1000", "--v3-keys", "public-key"], {
    stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, RUST_LOG: "warn" },
  });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no ready line within 30 s")), 30_000);
    readline.createInterface({ input: sim.stdout }).once("line", (l) => { clearTimeout(timer); resolve(l); });
    sim.once("exit", (code) => { clearTimeout(timer); reject(new Error(`wxpay-sim exited (${code}) before its ready line`)); });
  });
  const ready = JSON.parse(first);
  const ca = readFileSync(ready.ca_file);
  const pem = (thing) => (thing.startsWith("-----BEGIN") ? thing : readFileSync(thing, "utf8"));

  // The merchant: `wxpay/v3` opens every notify; 200 when it opens, 401 with its error code when
  // it throws (a probe must throw SIGNATURE_PROBE).
  const keys = new v3.KeySet({
    apiV3Key: ready.v3.apiv3_key,
    publicKeys: { [ready.v3.wechatpay_public_key_id]: pem(ready.v3.wechatpay_public_key) },
  });
  const opened = [];
  merchant = https.createServer({ cert: readFileSync(path.join(dir, "server_cert.pem")), key: readFileSync(path.join(dir, "server_key.pem")) }, (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        opened.push(keys.openNotification(req.headers, Buffer.concat(chunks)));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ code: "SUCCESS", message: "opened by wxpay/v3" }));
      } catch (e) {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ code: "FAIL", message: `wxpay/v3 refused: ${e.code}` }));
      }
    });
  });
  await new Promise((r) => merchant.listen(0, "127.0.0.1", r));
  const notifyUrl = `https://127.0.0.1:${merchant.address().port}/v3/notify`;

  // A real payment first: the same handler acknowledges what WeChat really signed.
  const m = new v3.Merchant({
    appId: ready.appid, mchId: ready.mch_id, serialNo: ready.v3.mch_serial,
    privateKey: readFileSync(ready.v3.mch_private_key), apiBase: ready.base_url,
  });
  const { openid } = await control(ready, "POST", "/login", {});
  const no = "E2EV3" + Date.now();
  keys.parseJsapiPrepayResponse(await send(m.buildJsapiPrepay({ description: "probe page", outTradeNo: no, total: 520, notifyUrl, openid }), ca));
  await control(ready, "POST", `/orders/${no}/pay`, {});
  await until("the payment notify acknowledged", async () => {
    const list = await control(ready, "GET", "/notifies");
    return list.find((n) => n.kind === "v3_payment" && n.acknowledged);
  });
  if (!opened.some((n) => n.event.outTradeNo === no)) throw new Error("the payment notify was not opened by wxpay/v3");

  // The probe: refused by openNotification, recorded so.
  await control(ready, "POST", "/v3/probes", { count: 1, url: notifyUrl });
  const probe = await until("the probe's verdict", async () => {
    const list = await control(ready, "GET", "/notifies");
    return list.find((n) => n.probe && n.probe_verdict);
  });
  if (probe.probe_verdict !== "refused") throw new Error("the probe was not refused: " + JSON.stringify(probe));
  if (probe.status !== 401 || !String(probe.reply).includes("SIGNATURE_PROBE")) throw new Error("the probe's answer: " + JSON.stringify(probe));

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
  await page.goto(ready.control_url);
  await page.locator("#who", { hasText: ready.mch_id }).waitFor();
  const rows = page.locator("#notifies tbody tr");
  const probeRow = rows.filter({ has: page.locator(".probe-verdict") });
  await probeRow.filter({ hasText: "probe refused" }).filter({ hasText: "SIGNATURE_PROBE" }).first().waitFor();
  if (await rows.filter({ hasText: "probe accepted" }).count()) throw new Error("the page shows a probe accepted");
  await rows.filter({ hasText: "TRANSACTION.SUCCESS" }).filter({ hasText: "opened by wxpay/v3" }).first().waitFor();

  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`v3 probe page: a real notify opened and a probe refused by wxpay/v3's openNotification, shown as "probe refused" (${SCREENSHOT})`);
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
