// 待处理: the exceptions queue with the action that fits each row, and the refunds (payers'
// requests to approve or reject).
import { $, api, el, shown, statusText, when, yuan } from "./api.js";

const seen = new Set();
let first = true;

const enc = encodeURIComponent;

async function act(card, what, f) {
  card.querySelectorAll("button").forEach((b) => (b.disabled = true));
  await shown(what, f);
  document.dispatchEvent(new Event("admin:changed"));
}

function refundCard(r) {
  const card = el("div", { className: "card", id: "refund-" + r.out_refund_no, dataset: { status: r.status } });
  // A request this page had not shown before (it came while the page was open).
  if (r.status === "REQUESTED" && !first && !seen.has(r.out_refund_no)) card.classList.add("fresh");
  seen.add(r.out_refund_no);
  card.append(el("div", { className: "row" },
    el("code", {}, r.out_refund_no),
    el("span", { className: "status" }, statusText(r.status, true))));
  card.append(el("div", { className: "muted" },
    "订单 order ", el("a", { href: "#orders/" + enc(r.out_trade_no) }, r.out_trade_no),
    " · ¥" + yuan(r.refund_fee) + " / ¥" + yuan(r.total_fee) + " · " + r.reason + " · " + when(r.requested_at)));
  if (r.last_error) card.append(el("div", { className: "err" }, r.last_error));
  if (r.reject_reason) card.append(el("div", { className: "muted reject-reason" }, "拒绝理由 reason: " + r.reject_reason));
  if (r.status === "REQUESTED") {
    const approve = () => act(card, "同意 approve", () => api("POST", "/admin/api/refunds/" + enc(r.out_refund_no) + "/approve"));
    const reject = () => {
      // The payer reads it on the order page. Empty: rejected without a reason; Cancel: not rejected.
      const reason = prompt("拒绝理由（付款人可见，可留空）/ Reason shown to the payer (optional)", "");
      if (reason === null) return;
      const body = reason.trim() ? { reason: reason.trim() } : undefined;
      act(card, "拒绝 reject", () => api("POST", "/admin/api/refunds/" + enc(r.out_refund_no) + "/reject", body));
    };
    card.append(el("div", { className: "bar" },
      el("button", { className: "approve", type: "button", onclick: approve }, "同意 Approve"),
      el("button", { className: "reject", type: "button", onclick: reject }, "拒绝 Reject")));
  }
  return card;
}

const KIND = {
  refund_change: "退款异常 CHANGE：钱没有退回到付款人，请在商户平台处理（如转账），再查询或标记已线下处理",
  refund_failing: "退款多次查询失败 keeps failing",
  paid_after_close: "关单后付款 paid after close：退款或发货",
  oversold: "关单后付款且库存已售出 oversold：退款或补货发货",
  order_failing: "订单多次查询失败 keeps failing",
};

function note(card, path) {
  const text = prompt("处理说明（仅内部可见）/ What was done offline", "");
  if (text === null) return;
  act(card, "标记 mark handled", () => api("POST", path, { note: text }));
}

function exceptionCard(kind, row, isRefund) {
  const no = isRefund ? row.out_refund_no : row.out_trade_no;
  const base = (isRefund ? "/admin/api/refunds/" : "/admin/api/orders/") + enc(no);
  const card = el("div", { className: "card", id: (isRefund ? "exc-refund-" : "exc-order-") + no, dataset: { kind } });
  card.append(el("div", { className: "row" },
    el("code", {}, no),
    el("span", { className: "status" }, statusText(row.status, isRefund))));
  card.append(el("div", { className: "err" }, KIND[kind] || kind));
  card.append(el("div", { className: "muted" },
    (isRefund ? "退款 ¥" + yuan(row.refund_fee) + " · 订单 " : "¥" + yuan(row.total_fee) + " · "),
    el("a", { href: "#orders/" + enc(row.out_trade_no) }, row.out_trade_no),
    row.last_error ? " · " + row.last_error : ""));
  const buttons = [];
  for (const a of row.actions) {
    if (a === "requery") {
      buttons.push(el("button", { type: "button", className: "requery", onclick: () => act(card, "查询 re-query", () => api("POST", base + "/requery")) }, "重新查询 Re-query"));
    } else if (a === "handled") {
      buttons.push(el("button", { type: "button", className: "handled", onclick: () => note(card, base + "/handled") }, "已线下处理 Handled offline"));
    } else if (a === "refund") {
      buttons.push(el("button", { type: "button", className: "refund danger", onclick: () => (location.hash = "#orders/" + enc(row.out_trade_no)) }, "退款 Refund…"));
    }
  }
  card.append(el("div", { className: "bar" }, ...buttons));
  return card;
}

const none = () => el("p", { className: "muted" }, "无 none");

/** Loads the queue and the refunds. */
export async function loadInbox() {
  const status = $("filter").value;
  const [refunds, attention] = await Promise.all([
    api("GET", "/admin/api/refunds" + (status ? "?status=" + enc(status) : "")),
    api("GET", "/admin/api/attention"),
  ]);
  const items = attention.refunds.map((r) => exceptionCard(r.kind, r, true))
    .concat(attention.orders.map((o) => exceptionCard(o.kind, o, false)));
  $("attention").replaceChildren(...(items.length ? items : [none()]));
  $("refunds").replaceChildren(...(refunds.length ? refunds.map(refundCard) : [none()]));
  first = false;
}
