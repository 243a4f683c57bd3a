'use strict';
// Koa: no body parser on the notify routes. The raw stream is read here (a body parser such as
// koa-body, if your app has one, must skip these paths, or keep the raw body: `includeUnparsed`
// with `ctx.request.body[Symbol.for('unparsedBody')]`).
//
//   (the variables of express.js) PORT=8080 node recipes/koa.js
const Koa = require('koa');
const { paymentNotifyV2 } = require('./notify-v2');
const { paymentNotifyV3 } = require('./notify-v3');

/** The request body as received, up to `limit` bytes. */
async function rawBody(req, limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const app = new Koa();

app.use(async (ctx, next) => {
  if (ctx.method !== 'POST') return next();
  if (ctx.path === '/wxpay/notify') {
    ctx.type = 'application/xml';
    ctx.body = await paymentNotifyV2(await rawBody(ctx.req));
  } else if (ctx.path === '/wxpay/v3/notify') {
    const { status, body } = await paymentNotifyV3(ctx.headers, await rawBody(ctx.req));
    ctx.status = status;
    if (body) {
      ctx.type = 'application/json';
      ctx.body = body;
    }
  } else {
    await next();
  }
});

module.exports = { app };

if (require.main === module) {
  const server = app.listen(Number(process.env.PORT || 8080), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
}
