// 一次结算（确认页上的一个商品和数量）的幂等键：同一次结算的重试（包括网络错误后再点「支付」）
// 都带同一个键，服务端只会下一单。键只需在本用户内不重复，不是密钥。
// One checkout's Idempotency-Key (a product and quantity on the confirm page): every retry of
// that checkout, including pressing pay again after a network error, sends the same key, so the
// server makes one order. It only needs to be unique for this user; it is not a secret.

function newCheckoutKey() {
  const random = Math.random().toString(36).slice(2, 12).padEnd(10, '0');
  return `ck-${Date.now().toString(36)}-${random}`;
}

module.exports = { newCheckoutKey };
