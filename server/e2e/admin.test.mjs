// Headless Chromium drives the back office (/admin) against `wxpay-server serve --sandbox`,
// through the real page, one numbered point of issue 15 after another:
//   1. a search finds an order by its 微信支付单号 (transaction_id);
//   2. its detail page shows the audit trail (who, when, from which message), the raw notify a
//      click away, the openid masked;
//   3. a partial refund from the office reaches SUCCESS, the audit naming the merchant;
//   4. two CHANGE refunds (the simulator's knob) are resolved from the exceptions queue: one by
//      re-query after WeChat settled it, one marked handled offline with a note;
//   5. the day's totals equal the sum of the rows they list; the CSV export starts with a BOM
//      and carries the Chinese header and product name as UTF-8; the day reconciles with the
//      simulator's downloadbill without differences;
//   6. a refund request made by the payer through the API appears within 5 seconds in two open
//      tabs (and in their titles' count), and an approval in one shows in the other;
//   7. all of it on a phone-sized viewport; and the older checks (reject with a reason the payer
//      reads, restock).
// Screenshots go to target/admin-e2e/ (ADMIN_E2E_SHOTS overrides), for a person to look at.
//
// Starts the server (WXPAY_SERVER_BIN) on a free loopback port with a temporary SQLite file,
// makes paid orders through the API and the simulated WeChat client, then drives the page.
// Everything it starts is stopped at the end, and the whole run is bounded by a watchdog.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BIN = process.env.WXPAY_SERVER_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ADMIN_TOKEN = "browser-test-admin-token-0123456789";
const LIMIT_MS = 240_000;
const LIVE_MS = 5_000;
const SHOTS = process.env.ADMIN_E2E_SHOTS || path.join(path.dirname(fileURLToPath(import.meta.url)), "../../target/admin-e2e");

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

function check(ok, what) {
  if (!ok) throw new Error(what);
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

// The simulator speaks HTTPS with its own CA (the WeChat client and the control API).
function wechat(url, body, ca) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: "POST", ca, headers: { "content-type": "application/json" }, timeout: 20_000 }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, body: data ? JSON.parse(data) : null }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(JSON.stringify(body));
  });
}

async function until(what, f, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(what + " did not happen within " + ms + " ms");
    await sleep(100);
  }
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
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
  const control = async (p, body) => {
    const r = await wechat(sandbox.url + "/control" + p, body, sandbox.ca);
    check(r.status < 300, `control ${p}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const simRefunds = async () => {
    const r = await new Promise((resolve, reject) => {
      https.get(sandbox.url + "/control/refunds", { ca: sandbox.ca, timeout: 20_000 }, (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve(JSON.parse(data)));
      }).on("error", reject);
    });
    return Array.isArray(r) ? r : r.refunds;
  };
  await until("the server answering", async () => api(base, "GET", "/healthz").then(() => true, () => false));
  const admin = (method, p, body) => api(base, method, p, body, ADMIN_TOKEN);

  // A payer (wx.login() through the simulator's control API, so the test knows the openid) and
  // paid orders.
  const me = await control("/login", {});
  const { token } = await api(base, "POST", "/api/login", { code: me.code });
  async function paidOrder(quantity) {
    const order = await api(base, "POST", "/api/orders", { product_id: 1, quantity }, token);
    const paid = await wechat(sandbox.url + "/sandbox/requestPayment", order.payment, sandbox.ca);
    check(paid.status === 200, "requestPayment: " + JSON.stringify(paid.body));
    // Read from the database (the admin API), so that the notify pays it, not an orderquery:
    // the audit trail then holds the raw notify.
    await until("order PAID", async () => (await admin("GET", "/admin/api/orders/" + order.out_trade_no)).order.status === "PAID");
    return order.out_trade_no;
  }
  const orderA = await paidOrder(2); // 3600 fen: refunded in part from the office
  const orderB = await paidOrder(1); // CHANGE, resolved by re-query
  const orderC = await paidOrder(1); // CHANGE, handled offline
  const orderD = await paidOrder(1); // the payer's live request
  const orderE = await paidOrder(1); // rejected with a reason
  const rejectNo = (await api(base, "POST", `/api/orders/${orderE}/refunds`, { reason: "不想要了" }, token)).out_refund_no;
  const txA = (await admin("GET", "/admin/api/orders/" + orderA)).order.transaction_id;
  check(/^\d{28}$/.test(txA), "transaction_id of A: " + txA);
  console.log(`orders ${orderA} (tx ${txA}), ${orderB}, ${orderC}, ${orderD}, ${orderE} paid`);

  // A fresh profile in the temporary directory (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(path.join(tmp, "chromium"), {
    executablePath: CHROMIUM,
    viewport: { width: 390, height: 844 }, // a phone
    headless: true,
    acceptDownloads: true,
    locale: "zh-CN",
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
  // Each screenshot is also a check that nothing on the page reads `null` or `undefined` (an
  // absent value that leaked into the text).
  const shot = async (p, name) => {
    const leaked = await p.evaluate(() => (document.body.innerText.match(/\b(null|undefined|NaN)\b/g) || []).join(", "));
    if (leaked) throw new Error(name + ": the page shows " + leaked);
    await p.screenshot({ path: path.join(SHOTS, name + ".png"), fullPage: true });
  };
  await page.goto(base + "/admin");
  await page.fill("#token", ADMIN_TOKEN);
  await page.click("#load");
  await page.locator("#tabs").waitFor();
  await shot(page, "0-inbox");

  // 1. Search by 微信支付单号.
  await page.click('#tabs a[data-tab="orders"]');
  await page.fill("#q", txA);
  await page.click("#search-go");
  await page.locator(`#results[data-query="${new URLSearchParams({ q: txA })}"] tbody tr#order-${orderA}`).waitFor();
  const found = await page.locator("#results tbody tr").count();
  check(found === 1, `the search by transaction_id lists ${found} rows`);
  await shot(page, "1-search-by-transaction-id");
  console.log("1. search by transaction_id finds the order");

  // 2. Its detail: the audit trail, the raw notify one click away, the openid masked.
  await page.click(`#results tbody tr#order-${orderA}`);
  await page.locator(`#detail-no:text("${orderA}")`).waitFor();
  check((await page.locator("#detail-api").textContent()).trim() === "APIv2", "the order page names the order's API version");
  const story = page.locator("#story li.story-row");
  const actions = await story.evaluateAll((lis) => lis.map((li) => li.dataset.action + " by " + li.dataset.actor));
  for (const want of ["order.created by user:", "order.prepaid by ", "order.paid by wechat:notify"]) {
    check(actions.some((a) => a.startsWith(want)), `the audit trail lacks "${want}": ${actions.join(", ")}`);
  }
  const paidRow = page.locator('#story li[data-action="order.paid"]').first();
  await paidRow.locator("button.raw-toggle").click();
  const shownRaw = page.locator('#story li[data-action="order.paid"] pre.raw:not([hidden])').first();
  const raw = await until("the raw notify shown", async () => {
    const t = await shownRaw.textContent({ timeout: 10_000 }).catch(() => "");
    return t.includes("<xml>") ? t : null;
  });
  check(raw.includes("<xml>") && raw.includes(txA), "the raw notify: " + raw.slice(0, 200));
  const detailText = await page.locator("#detail").textContent();
  check(me.openid.length > 12 && !detailText.includes(me.openid) && !raw.includes(me.openid), "the openid shows whole");
  check(raw.includes(me.openid.slice(0, 4) + "…" + me.openid.slice(-4)), "the raw notify's openid is not masked: " + raw);
  check(/^\S{1,4}…\S{0,4}$/.test((await page.locator("#detail code.openid").textContent()).trim()), "the payer's openid is not masked");
  await shot(page, "2-order-detail-audit-trail");
  console.log("2. detail with the audit trail and the raw notify");

  // 3. A partial refund from the office, reaching SUCCESS.
  await page.fill("#mrefund-amount", "10.00");
  await page.fill("#mrefund-reason", "商户主动退款：少发一杯");
  page.once("dialog", (d) => d.accept());
  await page.click("#mrefund-go");
  const refundLine = page.locator('#detail-refunds li.refund-line[data-status="SUCCESS"]');
  await refundLine.waitFor({ timeout: 60_000 });
  const stored = await admin("GET", "/admin/api/orders/" + orderA);
  check(stored.order.refunded_fee === 1000 && stored.refunds.length === 1 && stored.refunds[0].status === "SUCCESS", "stored: " + JSON.stringify(stored.refunds));
  check(stored.refundable_fee === 2600, "refundable after 10.00 of 36.00: " + stored.refundable_fee);
  await page.locator('#story li[data-action="refund.approved"][data-actor="merchant:admin"]').waitFor();
  await page.locator('#story li[data-action="refund.success"]').waitFor();
  await shot(page, "3-merchant-partial-refund-success");
  console.log("3. partial refund from the office reached SUCCESS, audited as merchant:admin");

  // 3b. The same form again, and every answer to the refund call is lost: the page says the
  // refund exists with its outcome unknown (202), and sending the same submission again (the
  // same Idempotency-Key) finds that refund: one refund at WeChat, never two.
  const before = (await simRefunds()).length;
  await control("/knobs", { drop_connections_next: 4 });
  await page.fill("#mrefund-amount", "5.00");
  await page.fill("#mrefund-reason", "商户主动退款：再退五元");
  page.once("dialog", (d) => d.accept());
  await page.click("#mrefund-go");
  const unknown = page.locator('#mrefund-outcome span[data-status="APPROVED"]');
  await unknown.waitFor({ timeout: 60_000 });
  const lostNo = (await unknown.locator("code").textContent()).trim();
  check((await unknown.textContent()).includes("do not refund again"), "the page does not say the outcome is unknown");
  await page.fill("#mrefund-amount", "5.00");
  await page.fill("#mrefund-reason", "商户主动退款：再退五元");
  page.once("dialog", (d) => d.accept());
  await page.click("#mrefund-go");
  await until("the retry answered", async () => (await page.locator("#mrefund-outcome code").textContent().catch(() => "")).trim() === lostNo);
  const afterRetry = await simRefunds();
  check(afterRetry.length === before + 1, "the retry made a second refund at WeChat: " + JSON.stringify(afterRetry.map((r) => r.out_refund_no)));
  // WeChat's word, asked now (the reconciler's visit), settles it.
  await until("the lost refund settled", async () => {
    await admin("POST", `/admin/api/refunds/${lostNo}/requery`).catch(() => null);
    return (await admin("GET", "/admin/api/orders/" + orderA)).refunds.some((r) => r.out_refund_no === lostNo && r.status === "SUCCESS");
  });
  await shot(page, "3b-merchant-refund-answer-lost-retried-once");
  console.log("3b. a merchant refund whose answer was lost: shown as unknown, the retry found it, one refund at WeChat");

  // 4. Two refunds end CHANGE (退款异常) at WeChat; the queue resolves them.
  // Held PROCESSING at the simulator (its own processing would end them otherwise), then ended
  // CHANGE with their notifies; released before step 6.
  await control("/knobs", { hold_refunds: true });
  const rB = (await admin("POST", `/admin/api/orders/${orderB}/refunds`, { reason: "缺货" })).out_refund_no;
  const rC = (await admin("POST", `/admin/api/orders/${orderC}/refunds`, { reason: "缺货" })).out_refund_no;
  await until("both refunds held", async () => (await simRefunds()).filter((r) => [rB, rC].includes(r.out_refund_no) && r.held).length === 2);
  for (const r of [rB, rC]) {
    await control(`/refunds/${r}/settle`, { status: "CHANGE" });
    await until(r + " CHANGE", async () => (await admin("GET", "/admin/api/refunds?status=CHANGE")).some((x) => x.out_refund_no === r));
  }
  await page.click('#tabs a[data-tab="inbox"]');
  await page.locator(`#exc-refund-${rB}[data-kind="refund_change"]`).waitFor({ timeout: LIVE_MS });
  await page.locator(`#exc-refund-${rC}[data-kind="refund_change"]`).waitFor({ timeout: LIVE_MS });
  await shot(page, "4a-exceptions-queue-change");
  // B: the merchant platform got the money back to the payer; WeChat now says SUCCESS.
  await control(`/refunds/${rB}/settle`, { status: "SUCCESS", notify: false });
  await sleep(2100); // the page asks WeChat about one row at most every 2 s
  await page.locator(`#exc-refund-${rB} button.requery`).click();
  await page.locator(`#exc-refund-${rB}`).waitFor({ state: "detached" });
  check((await admin("GET", "/admin/api/refunds?status=SUCCESS")).some((x) => x.out_refund_no === rB), rB + " is not SUCCESS after the re-query");
  // C: handled offline with a note; still CHANGE, its amount still held.
  page.once("dialog", (d) => d.accept("已在商户平台人工转账 transferred by hand"));
  await page.locator(`#exc-refund-${rC} button.handled`).click();
  await page.locator(`#exc-refund-${rC}`).waitFor({ state: "detached" });
  const cNow = (await admin("GET", "/admin/api/orders/" + orderC)).refunds[0];
  check(cNow.status === "CHANGE" && cNow.handled && cNow.handled.note.startsWith("已在商户平台"), "C after handled: " + JSON.stringify(cNow));
  await shot(page, "4b-exceptions-resolved");
  console.log("4. CHANGE refunds resolved from the queue (re-query → SUCCESS; handled offline, still CHANGE)");

  // 5. Totals equal the sum of their rows; the CSV; reconciliation with downloadbill.
  await page.click('#tabs a[data-tab="reports"]');
  await page.click("#totals-load");
  const day = await page.locator("#totals tbody tr.day").first().getAttribute("data-day");
  const fen = async (sel) => Number(await page.locator(sel).first().getAttribute("data-fen"));
  const [paid, refunded, net] = [await fen(`#totals tr[data-day="${day}"] td.paid`), await fen(`#totals tr[data-day="${day}"] td.refunded`), await fen(`#totals tr[data-day="${day}"] td.net`)];
  await page.click(`#totals tr[data-day="${day}"]`);
  await page.locator("#day-payments").waitFor();
  const sum = (sel) => page.locator(sel).evaluateAll((tds) => tds.reduce((s, td) => s + Number(td.dataset.fen), 0));
  const rowsPaid = await sum("#day-payments tbody td.num");
  const rowsRefunded = await sum("#day-refunds tbody td.num");
  check(paid === rowsPaid && refunded === rowsRefunded && net === paid - refunded, `totals ${paid}/${refunded}/${net} vs rows ${rowsPaid}/${rowsRefunded}`);
  // What this test paid and refunded today (unless it ran across Beijing midnight).
  if (day === (await page.evaluate(() => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date())))) {
    check(paid === 3600 + 4 * 1800 && refunded === 1000 + 500 + 1800, `today's totals ${paid}/${refunded}`);
  }
  await shot(page, "5a-daily-totals");
  await page.fill("#recon-day", day);
  await page.click("#recon-load");
  const summary = page.locator("#recon-summary");
  await summary.waitFor({ timeout: 30_000 });
  const diffs = await summary.getAttribute("data-differences");
  // The list of differences exists only when there are some: waiting for it otherwise spent the
  // page's whole default timeout (30 s) on every run.
  const diffText = diffs === "0" ? "" : await page.locator("#recon-diffs").textContent();
  check(diffs === "0", `reconciliation differences: ${diffs} ${diffText}`);
  check(Number(await summary.getAttribute("data-matched")) >= 5 + 3, "matched " + (await summary.getAttribute("data-matched")));
  await shot(page, "5b-reconciliation");
  await page.click('#tabs a[data-tab="orders"]');
  await page.fill("#q", "");
  await page.selectOption("#status", "PAID");
  await page.click("#search-go");
  await page.locator(`#results[data-query="status=PAID"] tbody tr#order-${orderA}`).waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  const csvPath = path.join(SHOTS, "orders.csv");
  await download.saveAs(csvPath);
  const csv = readFileSync(csvPath);
  check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, "the CSV has no UTF-8 BOM: " + csv.subarray(0, 8).toString("hex"));
  const text = csv.subarray(3).toString("utf8");
  check(csv.includes(Buffer.from("商户订单号", "utf8")) && csv.includes(Buffer.from("拿铁 Latte", "utf8")), "the CSV lacks the Chinese header or product name");
  const lines = text.trimEnd().split("\r\n");
  check(lines[0].startsWith("商户订单号 out_trade_no,微信支付单号"), "header: " + lines[0]);
  check(lines.length === 1 + 5 && lines.some((l) => l.startsWith(orderA + ",\t" + txA)), "CSV rows:\n" + text);
  console.log("5. totals equal their rows; reconciled with downloadbill; CSV with BOM and Chinese");

  // 6. Live: a second tab; the payer asks through the API; both tabs show it within 5 s.
  await control("/knobs", { hold_refunds: false });
  await page.click('#tabs a[data-tab="inbox"]');
  const page2 = await browser.newPage();
  page2.on("pageerror", (e) => pageErrors.push(e.message));
  await page2.goto(base + "/admin#inbox"); // a new tab: its own session storage, so it logs in
  await page2.fill("#token", ADMIN_TOKEN);
  await page2.click("#load");
  await page2.locator("#tabs").waitFor();
  await page.locator(`#refund-${rejectNo}`).waitFor();
  await page2.locator(`#refund-${rejectNo}`).waitFor();
  const asked = Date.now();
  const live = (await api(base, "POST", `/api/orders/${orderD}/refunds`, { reason: "买错了" }, token)).out_refund_no;
  await Promise.all([page, page2].map((p) => p.locator(`#refund-${live}[data-status="REQUESTED"]`).waitFor({ timeout: LIVE_MS })));
  const seenAfter = Date.now() - asked;
  check(seenAfter <= LIVE_MS, "seen after " + seenAfter + " ms");
  for (const p of [page, page2]) {
    const title = await p.title();
    check(/^\(\d+\) /.test(title), "no count in the title: " + title);
  }
  await shot(page2, "6-live-refund-request");
  // Approving in one tab shows in the other.
  await page.locator(`#refund-${live} button.approve`).click();
  await page2.locator(`#refund-${live}[data-status="SUCCESS"]`).waitFor({ timeout: 60_000 });
  console.log(`6. the payer's request appeared in both tabs after ${seenAfter} ms; the approval in one shows in the other`);

  // Reject with the reason the payer reads; restock.
  const reason = "商品已发货，请收货后再申请";
  page.once("dialog", (d) => d.accept(reason));
  await page.locator(`#refund-${rejectNo} button.reject`).click();
  await page.locator(`#refund-${rejectNo}[data-status="REJECTED"]`).waitFor();
  const shownReason = await page.locator(`#refund-${rejectNo} .reject-reason`).textContent();
  check(shownReason.includes(reason), "the page shows " + shownReason);
  const payerSees = await api(base, "GET", "/api/orders/" + orderE, null, token);
  check(payerSees.refunds[0].status === "REJECTED" && payerSees.refunds[0].reject_reason === reason, "the payer's order JSON: " + JSON.stringify(payerSees.refunds));
  await page.click('#tabs a[data-tab="products"]');
  const product = page.locator("#product-1");
  check((await product.getAttribute("data-stock")) === "94", "stock shown: " + (await product.getAttribute("data-stock")));
  page.once("dialog", (d) => d.accept("5"));
  await product.locator("button.restock").click();
  await page.locator('#product-1[data-stock="99"]').waitFor();
  const products = await api(base, "GET", "/api/products");
  check(products.find((p) => p.id === 1).stock === 99, "not restocked on the server: " + JSON.stringify(products));
  await shot(page, "7-products");
  console.log("rejected with a reason the payer reads; restocked");
  check(!pageErrors.length, "errors in the page: " + pageErrors.join("; "));
  writeFileSync(path.join(SHOTS, "README.txt"), "Screenshots of server/e2e/admin.test.mjs (scripts/test-server browser), a phone-sized viewport.\n");
  console.log("screenshots in " + SHOTS);
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
