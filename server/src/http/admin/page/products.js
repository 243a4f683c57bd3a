// 商品: stock per product, restocked by adding (exact however many orders take units meanwhile;
// a "set" could overwrite them).
import { $, api, el, shown, yuan } from "./api.js";

function productCard(p) {
  const card = el("div", { className: "card", id: "product-" + p.id, dataset: { stock: p.stock === null ? "" : String(p.stock) } });
  card.append(el("div", { className: "row" },
    el("span", {}, p.name + " · ¥" + yuan(p.price_fen)),
    el("span", { className: "stock" }, p.stock === null ? "不限库存 not tracked" : p.stock === 0 ? "0 · 已售罄 sold out" : "库存 " + p.stock)));
  const restock = async () => {
    const n = prompt("补货数量（负数为减少）/ Units to add (negative removes)", "10");
    if (n === null) return;
    if (!/^-?\d+$/.test(n.trim())) return shown("补货 restock", () => Promise.reject(new Error("a whole number, please")));
    await shown("补货 restock", () => api("POST", "/admin/api/products/" + p.id + "/stock", { add: Number(n.trim()) }));
    await loadProducts();
  };
  if (p.stock !== null) card.append(el("div", { className: "bar" }, el("button", { className: "restock", type: "button", onclick: restock }, "补货 Restock")));
  return card;
}

export async function loadProducts() {
  const products = await api("GET", "/admin/api/products");
  $("products").replaceChildren(...(products.length ? products.map(productCard) : [el("p", { className: "muted" }, "无 none")]));
}
