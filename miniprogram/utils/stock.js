// 库存 → 付款人看到的文字和数量上限。库存是服务端 GET /api/products 的 `stock`：还能卖的件数（未支付订单
// 占着的已经扣掉了）；null 表示该商品不限量。这里只显示和限制输入，能不能买由服务端下单时决定（409 OUT_OF_STOCK）。
// Stock as the payer reads it, and the most the stepper allows. `stock` is what the server says
// is left (null: not tracked); the server alone decides at order time (409 OUT_OF_STOCK).

/** 一单最多几件（服务端的上限）。The server's most per order. */
const MAX_QUANTITY = 99;

/**
 * @param {number | null | undefined} stock 服务端的 `stock`
 * @returns {{stockText: string, soldOut: boolean, maxQuantity: number}}
 */
function stockLabel(stock) {
  if (typeof stock !== 'number') return { stockText: '', soldOut: false, maxQuantity: MAX_QUANTITY };
  if (stock <= 0) return { stockText: '已售罄', soldOut: true, maxQuantity: 0 };
  return { stockText: `库存 ${stock}`, soldOut: false, maxQuantity: Math.min(MAX_QUANTITY, stock) };
}

module.exports = { stockLabel, MAX_QUANTITY };
