// What every part of the page shares: the admin API (the token in a header, never in a URL),
// building elements, money and Beijing time.

let token = sessionStorage.getItem("wxpay-admin-token") || "";

export const getToken = () => token;

export function setToken(t) {
  token = t;
  sessionStorage.setItem("wxpay-admin-token", t);
}

function errorOf(r, body) {
  const e = new Error((body && body.error && body.error.message) || "HTTP " + r.status);
  // The API's error object (its code and details, such as the pending requests that block a refund).
  e.body = body && body.error;
  return e;
}

/** A JSON call to the admin API; `extra` headers (an Idempotency-Key) are added. */
export async function api(method, path, payload, extra) {
  const headers = { ...extra, Authorization: "Bearer " + token };
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw errorOf(r, body);
  return body;
}

/** A file from the admin API (the token in the header), saved under its own name. */
export async function download(path) {
  const r = await fetch(path, { headers: { Authorization: "Bearer " + token } });
  if (!r.ok) throw errorOf(r, await r.json().catch(() => null));
  const name = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
  const url = URL.createObjectURL(await r.blob());
  const a = el("a", { href: url, download: name ? name[1] : "export.csv" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `el("div", {className: "x"}, child, "text")`; `dataset` is merged, not assigned. */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  const { dataset, ...rest } = attrs || {};
  Object.assign(e, rest);
  if (dataset) Object.assign(e.dataset, dataset);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export const $ = (id) => document.getElementById(id);

/** Replaces `parent`'s children with those given, leaving out the absent ones (the DOM's own
 * replaceChildren would show a `null` as the text "null"). */
export function fill(parent, ...children) {
  parent.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

/** Integer fen as yuan, by integer arithmetic. */
export function yuan(fen) {
  const sign = fen < 0 ? "-" : "";
  const a = Math.abs(fen);
  return sign + Math.floor(a / 100) + "." + String(a % 100).padStart(2, "0");
}

/** "12.3" → 1230 fen; null unless a positive amount with at most two decimals. */
export function fenOf(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0"));
  return fen > 0 ? fen : null;
}

const beijing = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});

/** Unix ms as `yyyy-MM-dd HH:mm:ss`, Beijing time. */
export const when = (ms) => (ms === null || ms === undefined ? "" : beijing.format(new Date(ms)));

/** Today in Beijing time, `yyyy-MM-dd`. */
export const today = () => when(Date.now()).slice(0, 10);

export function message(text) {
  $("message").textContent = text || "";
}

/** Runs `f`, showing its error instead of throwing. */
export async function shown(what, f) {
  try {
    const v = await f();
    message("");
    return v;
  } catch (e) {
    message(what + " 失败 failed: " + e.message);
    return undefined;
  }
}

export const STATUS_ZH = {
  NOTPAY: "未支付", PAID: "已支付", CLOSED: "已关闭",
  REQUESTED: "待审批", APPROVED: "已同意", PROCESSING: "退款中", SUCCESS: "退款成功",
  CHANGE: "退款异常", REJECTED: "已拒绝",
};

/** `PAID 已支付`. */
export const statusText = (s, refund) => s + " " + (refund && s === "CLOSED" ? "退款关闭" : STATUS_ZH[s] || "");
