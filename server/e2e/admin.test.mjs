// Headless Chromium opens /admin, enters the admin token, approves a pending refund and sees
// it reach SUCCESS, rejects another with a reason (the page's prompt) that the payer then reads
// in the order's JSON, and restocks a product.
//
// Starts `wxpay-server serve --sandbox` (WXPAY_SERVER_BIN) on a free loopback port with a
// temporary SQLite file, makes a paid order with a refund request through the API and the
// simulated WeChat client, then drives the page. Everything it starts is stopped at the end,
// and the whole run is bounded by a watchdog.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const BIN = process.env.WXPAY_SERVER_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ADMIN_TOKEN = "browser-test-admin-token-0123456789";
const LIMIT_MS = 120_000;

if (!BIN) throw new Error("set WXPAY_SERVER_BIN to the wxpay-server binary");

const tmp = mkdtempSync(path.join(os.tmpdir(), "wxpay-e2e-"));
let server;
let browser;

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill("SIGINT");
    await Promise.race([new Promise((r) => server.once("exit", r)), sleep(5000)]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  rmSync(tmp, { recursive: true, force: true });
}

const watchdog = setTimeout(async () => {
  console.error(`browser test did not finish within ${LIMIT_MS} ms`);
  await cleanup();
  process.exit(1);
}, LIMIT_MS);

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function api(base, method, p, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = "Bearer " + token;
  const r = await fetch(base + p, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(20_000) });
  const json = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

// The simulator speaks HTTPS with its own CA.
function wechat(url, body, ca) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: "POST", ca, headers: { "content-type": "application/json" }, timeout: 20_000 }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, body: JSON.parse(data) }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(JSON.stringify(body));
  });
}

async function main() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ["serve", "--sandbox"], {
    env: {
      ...process.env,
      LISTEN: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${path.join(tmp, "wxpay.db")}?mode=rwc`,
      ADMIN_TOKEN,
      WXPAY_RECONCILE_INTERVAL_SECS: "0",
      RUST_LOG: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // "sandbox: https://127.0.0.1:PORT (CA /path/ca.pem); …"
  const sandbox = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (c) => {
      out += c;
      const m = out.match(/sandbox: (https:\/\/\S+) \(CA (\S+)\)/);
      if (m) resolve({ url: m[1], ca: readFileSync(m[2]) });
    });
    server.once("exit", (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
  for (let i = 0; ; i++) {
    try {
      await api(base, "GET", "/healthz");
      break;
    } catch (e) {
      if (i > 100) throw e;
      await sleep(100);
    }
  }

  // A payer: login (the simulator accepts any code here), two paid orders, a refund request each.
  const { token } = await api(base, "POST", "/api/login", { code: "browser-test-" + Date.now() });
  async function paidOrder(quantity) {
    const order = await api(base, "POST", "/api/orders", { product_id: 1, quantity }, token);
    const paid = await wechat(sandbox.url + "/sandbox/requestPayment", order.payment, sandbox.ca);
    if (paid.status !== 200) throw new Error("requestPayment: " + JSON.stringify(paid.body));
    for (let i = 0; ; i++) {
      const o = await api(base, "GET", "/api/orders/" + order.out_trade_no, null, token);
      if (o.status === "PAID") return order;
      if (i > 200) throw new Error("order never PAID");
      await sleep(100);
    }
  }
  const order = await paidOrder(1);
  const refund = await api(base, "POST", `/api/orders/${order.out_trade_no}/refunds`, { reason: "browser test" }, token);
  const other = await paidOrder(2);
  const toReject = await api(base, "POST", `/api/orders/${other.out_trade_no}/refunds`, { reason: "不想要了" }, token);
  console.log(`refunds ${refund.out_refund_no} and ${toReject.out_refund_no} requested`);

  // A fresh profile in the temporary directory (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(path.join(tmp, "chromium"), {
    executablePath: CHROMIUM,
    viewport: { width: 390, height: 844 }, // a phone
    headless: true,
    timeout: 30_000,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const page = browser.pages()[0] || (await browser.newPage());
  page.setDefaultTimeout(30_000);
  // A script error in the page fails the test (it would otherwise only show as a missing button).
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(base + "/admin");
  await page.fill("#token", ADMIN_TOKEN);
  await page.click("#load");
  const card = page.locator(`#refund-${refund.out_refund_no}`);
  await card.locator("button.approve").click();
  await page.locator(`#refund-${refund.out_refund_no}[data-status="SUCCESS"]`).waitFor({ timeout: 60_000 });
  const shown = await card.locator(".status").textContent();
  if (shown !== "SUCCESS") throw new Error("page shows " + shown);
  const stored = await api(base, "GET", "/admin/api/refunds?status=SUCCESS", null, ADMIN_TOKEN);
  if (!stored.some((r) => r.out_refund_no === refund.out_refund_no)) throw new Error("not SUCCESS on the server");
  console.log("admin page: approved refund reached SUCCESS");

  // Reject: the page asks for the reason the payer will read.
  const reason = "商品已发货，请收货后再申请";
  page.once("dialog", (d) => d.accept(reason));
  const rejectCard = page.locator(`#refund-${toReject.out_refund_no}`);
  await rejectCard.locator("button.reject").click();
  await page.locator(`#refund-${toReject.out_refund_no}[data-status="REJECTED"]`).waitFor();
  const shownReason = await page.locator(`#refund-${toReject.out_refund_no} .reject-reason`).textContent();
  if (!shownReason.includes(reason)) throw new Error("the page shows " + shownReason);
  const payerSees = await api(base, "GET", "/api/orders/" + other.out_trade_no, null, token);
  if (payerSees.refunds[0].status !== "REJECTED" || payerSees.refunds[0].reject_reason !== reason) {
    throw new Error("the payer's order JSON: " + JSON.stringify(payerSees.refunds));
  }
  console.log("admin page: rejected with a reason the payer reads");

  // Restock: product 1 had 100, 3 are sold; 5 more.
  const product = page.locator("#product-1");
  if ((await product.getAttribute("data-stock")) !== "97") throw new Error("stock shown: " + (await product.getAttribute("data-stock")));
  page.once("dialog", (d) => d.accept("5"));
  await product.locator("button.restock").click();
  await page.locator('#product-1[data-stock="102"]').waitFor();
  const products = await api(base, "GET", "/api/products");
  if (products.find((p) => p.id === 1).stock !== 102) throw new Error("not restocked on the server: " + JSON.stringify(products));
  console.log("admin page: restocked");
  if (pageErrors.length) throw new Error("errors in the page: " + pageErrors.join("; "));
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
