'use strict';
// A TCP proxy on loopback in front of the server that can reset the next N connections
// (a real network error for the client: ECONNRESET), then forwards the rest untouched.
// Counts connections, so tests can tell whether a request was retried.
const net = require('node:net');

async function startFlakyProxy(target) {
  const t = new URL(target);
  const state = { connections: 0, reset: 0, resetNext: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    state.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (state.resetNext > 0) {
      state.resetNext--;
      state.reset++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(Number(t.port), t.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    /** Reset the next `n` connections; clears the counters. */
    resetNext(n) {
      Object.assign(state, { connections: 0, reset: 0, resetNext: n });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

module.exports = { startFlakyProxy };
