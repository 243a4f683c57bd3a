// 时间显示：服务端的 Unix 毫秒 → 「2026-11-24 03:55」（手机本地时区）。
// Times as shown: the server's Unix milliseconds → "2026-11-24 03:55" (the phone's time zone).

function pad(n) {
  return n < 10 ? '0' + n : String(n);
}

function formatTime(ms) {
  if (ms == null) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

module.exports = { formatTime };
