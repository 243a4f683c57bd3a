// The page's frame: the token, the tabs (in the URL's hash, so a link opens an order), and the
// pulse: every two seconds one small request says whether anything changed on any instance
// sharing the database; the open tab reloads what moved and the title counts what waits.
import { $, api, getToken, message, setToken, shown, today } from "./api.js";
import { loadInbox } from "./inbox.js";
import { refreshOrders, search, showDetail, wireOrders } from "./orders.js";
import { loadProducts } from "./products.js";
import { loadTotals, wireReports } from "./reports.js";

const PULSE_MS = 2000;
const TITLE = "商户后台 · wxpay admin";
let version = null;
let started = false;

function currentTab() {
  const [tab, arg] = location.hash.slice(1).split("/");
  return { tab: ["inbox", "orders", "reports", "products"].includes(tab) ? tab : "inbox", arg: arg ? decodeURIComponent(arg) : null };
}

async function route() {
  const { tab, arg } = currentTab();
  for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== "tab-" + tab;
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("on", a.dataset.tab === tab);
  if (tab === "orders") {
    if (!$("results").tBodies[0].rows.length) await search();
    await showDetail(arg);
  } else if (tab === "reports") {
    if (!$("totals").tBodies[0].rows.length) await shown("汇总 totals", loadTotals);
  } else if (tab === "products") {
    await shown("商品 products", loadProducts);
  }
}

/** Everything that may have moved, for the tab shown. */
async function reload() {
  const { tab } = currentTab();
  await loadInbox();
  if (tab === "orders") await refreshOrders();
  if (tab === "products") await loadProducts();
}

function showWaiting(w) {
  const n = w.requested + w.exceptions;
  document.title = (n ? "(" + n + ") " : "") + TITLE;
  const badge = $("waiting");
  badge.hidden = n === 0;
  badge.textContent = String(n);
  badge.title = w.requested + " 个退款申请 refund requests, " + w.exceptions + " 个异常 exceptions";
}

async function pulse() {
  try {
    const p = await api("GET", "/admin/api/pulse");
    showWaiting(p);
    if (p.version !== version) {
      version = p.version;
      await reload();
    }
    document.body.dataset.version = version;
  } catch (e) {
    message("连接中断，稍后重试 connection lost: " + e.message);
  } finally {
    setTimeout(pulse, PULSE_MS);
  }
}

async function start() {
  await loadInbox();
  $("content").hidden = false;
  $("tabs").hidden = false;
  message("");
  if (!started) {
    started = true;
    setTimeout(pulse, 0);
  }
  await route();
}

$("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  setToken($("token").value.trim());
  try {
    await start();
  } catch (e) {
    $("content").hidden = true;
    message(e.message);
  }
});
$("refresh").addEventListener("click", () => shown("刷新 refresh", loadInbox));
$("filter").addEventListener("change", () => shown("刷新 refresh", loadInbox));
window.addEventListener("hashchange", () => {
  if (started) route();
});
// An action taken on this page: show its effect now rather than at the next pulse.
document.addEventListener("admin:changed", () => shown("刷新 refresh", reload));
wireOrders();
wireReports();
$("totals-to").value = today();
$("token").value = getToken();
if (getToken()) start().catch(() => {});

