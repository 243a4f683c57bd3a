// 金额显示：服务端给的整数「分」→ "¥x.yy"，全程整数运算，不经过浮点数。
// Amounts as shown: the server's integer fen → "¥x.yy", by integer arithmetic only.

/** formatFen(3600) === '¥36.00'，formatFen(5) === '¥0.05'。 */
function formatFen(fen) {
  if (!Number.isSafeInteger(fen)) throw new TypeError(`amount must be an integer number of fen, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = (abs - (abs % 100)) / 100;
  const cents = abs % 100;
  return `${sign}¥${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}

module.exports = { formatFen };
