// 报表: daily totals in Beijing time (a day opens into the rows it adds up), and a day's
// reconciliation against WeChat's bill with the differences listed.
import { $, api, el, fill, shown, today, when, yuan } from "./api.js";

const enc = encodeURIComponent;

const num = (fen, cls) => el("td", { className: "num " + (cls || ""), dataset: { fen: String(fen) } }, yuan(fen));

function dayRow(d) {
  const tr = el("tr", { className: "pick day", dataset: { day: d.day } },
    el("td", {}, d.day), num(d.paid_fen, "paid"), num(d.refunded_fen, "refunded"), num(d.net_fen, "net"));
  tr.title = d.paid_count + " 笔收款, " + d.refund_count + " 笔退款";
  tr.addEventListener("click", () => showDay(d.day));
  return tr;
}

/** Loads the totals of the form's range (default: the last 7 days). */
export async function loadTotals() {
  const p = new URLSearchParams();
  if ($("totals-from").value) p.set("from", $("totals-from").value);
  if ($("totals-to").value) p.set("to", $("totals-to").value);
  const t = await api("GET", "/admin/api/totals?" + p);
  $("totals").tBodies[0].replaceChildren(...t.days.map(dayRow));
  $("totals").tFoot.replaceChildren(el("tr", { className: "sum" },
    el("td", {}, "合计 total"), num(t.total.paid_fen, "paid"), num(t.total.refunded_fen, "refunded"), num(t.total.net_fen, "net")));
}

/** The payments and refunds one day's totals add up, with their sums. */
export async function showDay(day) {
  const r = await shown("明细 rows", () => api("GET", "/admin/api/totals/" + enc(day)));
  if (!r) return;
  document.querySelectorAll("#totals tr.day").forEach((tr) => tr.classList.toggle("on", tr.dataset.day === day));
  const paid = r.payments.reduce((s, p) => s + p.total_fee, 0);
  const refunded = r.refunds.reduce((s, x) => s + x.refund_fee, 0);
  const link = (no) => el("a", { href: "#orders/" + enc(no) }, no);
  fill($("day-rows"),
    el("h3", {}, day + " 明细 ", el("span", { className: "en" }, "the rows of the day")),
    el("table", { className: "list", id: "day-payments" },
      el("thead", {}, el("tr", {}, el("th", {}, "收款 payment"), el("th", {}, "微信支付单号"), el("th", {}, "时间"), el("th", { className: "num" }, "¥"))),
      el("tbody", {}, ...r.payments.map((p) => el("tr", { className: "pay-row" },
        el("td", {}, link(p.out_trade_no)), el("td", { className: "mono" }, p.transaction_id || ""), el("td", {}, when(p.paid_at)), num(p.total_fee)))),
      el("tfoot", {}, el("tr", {}, el("td", { colSpan: 3 }, "收款合计 " + r.payments.length + " 笔"), num(paid, "paid-sum")))),
    el("table", { className: "list", id: "day-refunds" },
      el("thead", {}, el("tr", {}, el("th", {}, "退款 refund"), el("th", {}, "订单"), el("th", {}, "时间"), el("th", { className: "num" }, "¥"))),
      el("tbody", {}, ...r.refunds.map((x) => el("tr", { className: "refund-row" },
        el("td", { className: "mono" }, x.out_refund_no), el("td", {}, link(x.out_trade_no)), el("td", {}, when(x.finished_at)), num(x.refund_fee)))),
      el("tfoot", {}, el("tr", {}, el("td", { colSpan: 3 }, "退款合计 " + r.refunds.length + " 笔"), num(refunded, "refunded-sum")))),
    r.truncated ? el("p", { className: "err" }, "行数过多，只列出一部分 (the lists are cut; the totals are not)") : null);
}

const KIND = {
  missing_here: "我方没有 missing here",
  missing_at_wechat: "微信账单没有 not on WeChat's bill",
  amount: "金额不同 amount differs",
  status: "状态不同 state differs",
};

function side(name, s) {
  return el("tr", {}, el("td", {}, name), el("td", { className: "num" }, String(s.payments)), num(s.paid_fen),
    el("td", { className: "num" }, String(s.refunds)), num(s.refund_fen));
}

/** Reconciles the form's day with WeChat's bill. */
export async function reconcile() {
  const day = $("recon-day").value || today();
  $("recon-day").value = day;
  $("recon").replaceChildren(el("p", { className: "muted" }, "下载对账单… downloading the bill…"));
  const r = await shown("对账 reconcile", () => api("GET", "/admin/api/reconcile?day=" + enc(day)));
  if (!r) {
    $("recon").replaceChildren();
    return;
  }
  const diffs = r.differences.map((d) => el("tr", { className: "diff", dataset: { kind: d.kind } },
    el("td", {}, KIND[d.kind] || d.kind),
    el("td", {}, d.what === "refund" ? "退款 " : "收款 ", el("a", { href: "#orders/" + enc(d.out_trade_no) }, d.out_trade_no), d.out_refund_no ? " / " + d.out_refund_no : ""),
    el("td", {}, (d.ours_fen === null ? "—" : "¥" + yuan(d.ours_fen)) + " " + (d.ours_status || "")),
    el("td", {}, (d.wechat_fen === null ? "—" : "¥" + yuan(d.wechat_fen)) + " " + (d.wechat_status || "")),
    el("td", { className: "muted" }, d.note)));
  fill($("recon"),
    r.bill_error ? el("p", { className: "muted" }, "微信无账单 no bill: " + r.bill_error) : null,
    el("table", { className: "list", id: "recon-sides" },
      el("thead", {}, el("tr", {}, el("th", {}, r.bill_date), el("th", { className: "num" }, "收款笔数"), el("th", { className: "num" }, "收款 ¥"),
        el("th", { className: "num" }, "退款笔数"), el("th", { className: "num" }, "退款 ¥"))),
      el("tbody", {}, side("微信 WeChat", r.wechat), side("我方 ours", r.ours))),
    el("p", { id: "recon-summary", className: r.differences.length ? "err" : "ok", dataset: { matched: String(r.matched), differences: String(r.differences.length) } },
      "一致 matched " + r.matched + " · 差异 differences " + r.differences.length),
    diffs.length ? el("table", { className: "list", id: "recon-diffs" },
      el("thead", {}, el("tr", {}, el("th", {}, "差异"), el("th", {}, "单号"), el("th", {}, "我方"), el("th", {}, "微信"), el("th", {}, "说明"))),
      el("tbody", {}, ...diffs)) : null);
}

export function wireReports() {
  $("totals-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    shown("汇总 totals", loadTotals);
  });
  $("recon-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    reconcile();
  });
}
