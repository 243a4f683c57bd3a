// 订单: the search (one term: 商户订单号, 微信支付单号, 退款单号 or openid; status; days), paged
// newest first by the server's cursor; the CSV of the same filter; one order's whole story
// with its refunds, the merchant's own refund, and each raw WeChat message a click away.
import { $, api, download, el, fenOf, fill, message, shown, statusText, when, yuan } from "./api.js";

const enc = encodeURIComponent;
let next = null;
let shownNo = null;
// Only the latest search's answer is shown (an earlier one may arrive after it).
let searchSeq = 0;
// Raw messages fetched (by audit id), and those shown.
const rawCache = new Map();
const openRaw = new Set();

/** The query string of the form's filter (without a cursor). */
function filterQuery() {
  const p = new URLSearchParams();
  for (const id of ["q", "status", "from", "to"]) {
    const v = $(id).value.trim();
    if (v) p.set(id, v);
  }
  return p;
}

function resultRow(o) {
  const tr = el("tr", { className: "pick", id: "order-" + o.out_trade_no, dataset: { status: o.status } },
    el("td", {}, el("code", {}, o.out_trade_no)),
    el("td", {}, o.product_name + " × " + o.quantity),
    el("td", { className: "num" }, yuan(o.total_fee)),
    el("td", { className: "status" }, statusText(o.status)),
    el("td", {}, when(o.created_at)));
  tr.addEventListener("click", () => (location.hash = "#orders/" + enc(o.out_trade_no)));
  return tr;
}

async function page(append) {
  const p = filterQuery();
  if (append && next) p.set("after", next);
  const seq = ++searchSeq;
  const r = await api("GET", "/admin/api/orders/search?" + p);
  if (seq !== searchSeq) return;
  const body = $("results").tBodies[0];
  const rows = r.orders.map(resultRow);
  if (append) body.append(...rows);
  else body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colSpan: 5, className: "muted" }, "没有找到 nothing found"))]));
  next = r.next;
  $("more").hidden = !next;
  // Which filter the list shows (for a person's tools and the browser test alike).
  $("results").dataset.query = filterQuery().toString();
}

/** Runs the search from the first page. */
export const search = () => shown("搜索 search", () => page(false));

function kv(pairs) {
  const dl = el("dl", { className: "kv" });
  for (const [k, v] of pairs) if (v !== null && v !== undefined && v !== "") dl.append(el("dt", {}, k), el("dd", {}, v));
  return dl;
}

function storyItem(s) {
  const move = s.from_status || s.to_status ? " " + (s.from_status || "∅") + " → " + (s.to_status || "∅") : "";
  const li = el("li", { className: "story-row", dataset: { action: s.action, actor: s.actor } },
    el("span", { className: "mono" }, when(s.at)), " · ",
    el("b", { className: "actor" }, s.actor), " · ",
    el("span", { className: "action" }, s.action + move),
    s.entity === "refund" ? el("span", { className: "muted" }, " (" + s.entity_id + ")") : null,
    s.summary ? el("div", { className: "muted summary" }, s.summary) : null);
  if (s.has_raw) {
    // Fetched once, and kept open across the pulse's refreshes of the order (which replace these
    // elements: the answer goes into whichever is shown when it arrives).
    li.dataset.id = String(s.id);
    const pre = el("pre", { className: "raw", hidden: !openRaw.has(s.id), textContent: rawCache.get(s.id) || "" });
    const btn = el("button", { type: "button", className: "raw-toggle" }, "原始报文 Raw message");
    btn.addEventListener("click", async () => {
      if (openRaw.has(s.id)) {
        openRaw.delete(s.id);
      } else {
        openRaw.add(s.id);
        if (!rawCache.has(s.id)) {
          const r = await shown("报文 raw", () => api("GET", "/admin/api/audit/" + s.id));
          if (!r) return openRaw.delete(s.id);
          rawCache.set(s.id, r.raw);
        }
      }
      const live = document.querySelector('#story li[data-id="' + s.id + '"] pre.raw') || pre;
      live.textContent = rawCache.get(s.id) || "";
      live.hidden = !openRaw.has(s.id);
    });
    li.append(el("div", {}, btn), pre);
  }
  return li;
}

/** A fresh key names one form submission: resending it (after an error, a timeout, a double
 * click) can only find the refund it made, never make a second one. */
const newKey = () => "mrefund-" + crypto.randomUUID();
/** Per order, the submission not yet answered with a refund ({key, fen, reason}), kept across
 * the detail's re-renders: the same amount and reason sent again reuse its key. */
const submissions = new Map();
/** Per order, what the last submission's answer said, shown under the form after re-renders. */
const outcomes = new Map();

function outcomeView(o, out) {
  if (!out) return null;
  if (out.refund) {
    const r = out.refund;
    return el("span", { dataset: { status: r.status } },
      "退款 ", el("code", {}, r.out_refund_no), " ¥" + yuan(r.refund_fee) + " · ", el("b", { className: "status" }, statusText(r.status, true)),
      r.status === "APPROVED" ? " · 微信的结果未知，系统会自动查询，请勿重复退款 WeChat's answer is not known yet; it is being checked: do not refund again" : "");
  }
  return el("span", {}, "未退款 not refunded: " + out.error, out.pending ? rejectPending(o, out.pending) : null);
}

function refundForm(d) {
  const o = d.order;
  const no = o.out_trade_no;
  const sub = submissions.get(no);
  const amount = el("input", { id: "mrefund-amount", inputMode: "decimal", placeholder: "金额 ¥ (最多 " + yuan(d.refundable_fee) + ")", value: yuan(sub ? sub.fen : d.refundable_fee) });
  const reason = el("input", { id: "mrefund-reason", placeholder: "退款原因 reason", maxLength: 80, value: sub ? sub.reason : "" });
  const go = el("button", { type: "submit", id: "mrefund-go", className: "danger" }, "退款 Refund");
  const outcome = el("div", { id: "mrefund-outcome", className: "muted" });
  fill(outcome, outcomeView(o, outcomes.get(no)));
  const form = el("form", { id: "mrefund", className: "bar" }, amount, reason, go);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const fen = fenOf(amount.value);
    const text = reason.value.trim();
    if (fen === null) return message("退款金额：正数，最多两位小数 / amount in yuan, e.g. 12.50");
    if (!text) return message("请填写退款原因 / a reason, please");
    if (!confirm("退款 ¥" + yuan(fen) + " 给订单 " + no + "？ Refund now?")) return;
    let s = submissions.get(no);
    // Another amount or reason is another submission.
    if (!s || s.fen !== fen || s.reason !== text) submissions.set(no, (s = { key: newKey(), fen, reason: text }));
    go.disabled = true;
    try {
      const r = await api("POST", "/admin/api/orders/" + enc(no) + "/refunds", { refund_fee: fen, reason: text }, { "Idempotency-Key": s.key });
      // WeChat answered: the submission is done, and another click is another refund. Outcome
      // unknown (APPROVED, 202): the same amount and reason sent again keep the key, so they can
      // only find this refund.
      if (r.status !== "APPROVED") submissions.delete(no);
      outcomes.set(no, { refund: r });
      message("");
    } catch (e) {
      outcomes.set(no, { error: e.message, pending: e.body && e.body.code === "HELD_BY_REQUESTS" ? e.body.pending : null });
      message("退款 refund 失败 failed: " + e.message);
    }
    go.disabled = false;
    fill(outcome, outcomeView(o, outcomes.get(no)));
    // The order's refunds as they are now, after any answer.
    document.dispatchEvent(new Event("admin:changed"));
  });
  return el("div", {}, el("h3", {}, "商户退款 Refund from the office"),
    el("p", { className: "muted" }, "直接退款（无需审批），与付款人申请同样受可退金额限制。Already approved; the same limits as a payer's request."), form, outcome);
}

/** The payer's requests waiting for approval hold their amounts: they are named, with one
 * button to reject them all (approve one in 待处理). */
function pendingBlock(o, refunds) {
  const pending = refunds.filter((r) => r.status === "REQUESTED").map((r) => r.out_refund_no);
  return pending.length ? el("div", { id: "detail-pending" }, rejectPending(o, pending)) : null;
}

/** The payer's pending requests that hold the amount, and one button to reject them all. */
function rejectPending(o, pending) {
  const go = el("button", { type: "button", className: "reject reject-pending" }, "拒绝这些申请 Reject these requests");
  go.addEventListener("click", async () => {
    const reason = prompt("拒绝理由（付款人可见，可留空）/ Reason shown to the payer (optional)", "");
    if (reason === null) return;
    go.disabled = true;
    const body = reason.trim() ? { reason: reason.trim() } : undefined;
    const done = await shown("拒绝 reject", () => api("POST", "/admin/api/orders/" + enc(o.out_trade_no) + "/refunds/reject-pending", body));
    if (done) {
      outcomes.delete(o.out_trade_no);
      message("已拒绝 rejected: " + done.map((r) => r.out_refund_no).join(", "));
    }
    document.dispatchEvent(new Event("admin:changed"));
  });
  return el("div", { className: "err" }, "待审批的申请占用了金额 pending requests hold the amount: ",
    ...pending.map((no) => el("code", {}, no + " ")), go);
}

function refundLine(r) {
  return el("li", { className: "refund-line", id: "detail-refund-" + r.out_refund_no, dataset: { status: r.status } },
    el("code", {}, r.out_refund_no), " ¥" + yuan(r.refund_fee) + " ",
    el("b", { className: "status" }, statusText(r.status, true)),
    " · " + r.reason + (r.refund_id ? " · 微信退款单号 " + r.refund_id : "") + (r.handled ? " · 已线下处理: " + r.handled.note : ""));
}

/** Shows one order (`null`: none). */
export async function showDetail(no) {
  shownNo = no;
  const box = $("detail");
  if (!no) {
    box.hidden = true;
    return;
  }
  const d = await shown("订单 order", () => api("GET", "/admin/api/orders/" + enc(no)));
  if (!d || shownNo !== no) return;
  const o = d.order;
  document.querySelectorAll("#results tr.on").forEach((tr) => tr.classList.remove("on"));
  const tr = document.getElementById("order-" + no);
  if (tr) tr.classList.add("on");
  const flags = [o.paid_after_close ? "关单后付款 paid after close" : "", o.oversold ? "超卖 oversold" : "",
    o.handled ? "已线下处理 handled: " + o.handled.note : ""].filter(Boolean).join(" · ");
  const samePayer = el("a", { href: "#", className: "same-payer" }, "此付款人的订单 this payer's orders");
  samePayer.addEventListener("click", (ev) => {
    ev.preventDefault();
    $("q").value = "";
    shown("搜索 search", async () => {
      const seq = ++searchSeq;
      const r = await api("GET", "/admin/api/orders/search?same_payer_as=" + enc(no));
      if (seq !== searchSeq) return;
      $("results").tBodies[0].replaceChildren(...r.orders.map(resultRow));
      next = null;
      $("more").hidden = true;
    });
  });
  fill(box,
    el("h2", {}, "订单详情 ", el("span", { className: "en" }, "Order "), el("code", { id: "detail-no" }, o.out_trade_no)),
    kv([
      ["状态 status", el("b", { id: "detail-status" }, statusText(o.status))],
      ["商品 product", o.product_name + " × " + o.quantity + " @ ¥" + yuan(o.unit_price_fen)],
      ["金额 total", "¥" + yuan(o.total_fee)],
      ["已退款 refunded", "¥" + yuan(o.refunded_fee)],
      ["付款人 payer (openid)", el("span", {}, el("code", { className: "openid" }, o.openid), " ", samePayer)],
      ["下单 created", when(o.created_at)],
      ["接口 API", el("span", { id: "detail-api" }, o.api_version === "v3" ? "APIv3" : "APIv2")],
      ["签名 sign_type", o.sign_type],
      ["微信支付单号 transaction_id", o.transaction_id ? el("code", { id: "detail-transaction" }, o.transaction_id) : null],
      ["微信支付时间 time_end", o.time_end],
      ["记账 paid_at", when(o.paid_at)],
      ["关闭 closed_at", when(o.closed_at)],
      ["异常 flags", flags],
      ["最近错误 last error", o.last_error],
    ]),
    el("h3", {}, "退款 Refunds"),
    d.refunds.length ? el("ul", { id: "detail-refunds" }, ...d.refunds.map(refundLine)) : el("p", { className: "muted" }, "无 none"),
    pendingBlock(o, d.refunds),
    d.refundable_fee > 0 || outcomes.has(o.out_trade_no) ? refundForm(d) : null,
    el("h3", {}, "经过 Audit trail ", el("span", { className: "en" }, "who · when · from which message")),
    el("ol", { className: "story", id: "story" }, ...d.story.map(storyItem)));
  box.hidden = false;
}

/** What the pulse refreshes: the shown order (its refunds move on their own). */
export async function refreshOrders() {
  if (shownNo) {
    // Not under a person typing a refund.
    const typing = document.activeElement && document.activeElement.closest && document.activeElement.closest("#mrefund");
    if (!typing) await showDetail(shownNo);
  }
}

export function wireOrders() {
  $("search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    search();
  });
  $("more").addEventListener("click", () => shown("更多 more", () => page(true)));
  $("export").addEventListener("click", () => shown("导出 export", () => download("/admin/api/orders/export.csv?" + filterQuery())));
}
