// 页面离开（onUnload）时取消它还在等的事：支付结果的轮询。取消之后 sleep 立刻返回，
// 等待的循环看到 cancelled 就不再发请求，页面也不再跳转。
// Lets a page that is left (onUnload) cancel what it still waits for, the payment check: after
// cancel() every sleep returns at once and the loop sends nothing more, so nothing redirects.

function newCancelToken() {
  /** @type {Set<{resolve: () => void, timer: number}>} */
  const sleeping = new Set();
  const token = {
    cancelled: false,
    cancel() {
      token.cancelled = true;
      for (const s of sleeping) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleeping.clear();
    },
    /** @param {number} ms */
    sleep(ms) {
      if (token.cancelled) return Promise.resolve();
      return new Promise((resolve) => {
        const s = { resolve: () => resolve(undefined), timer: 0 };
        s.timer = setTimeout(() => {
          sleeping.delete(s);
          resolve(undefined);
        }, ms);
        sleeping.add(s);
      });
    },
  };
  return token;
}

/** @typedef {ReturnType<typeof newCancelToken>} CancelToken */

module.exports = { newCancelToken };
