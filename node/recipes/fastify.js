'use strict';
// Fastify: it parses JSON itself and refuses text/xml (415) unless told. Both notify bodies are
// kept as Buffers with `addContentTypeParser(…, { parseAs: 'buffer' })`, registered in a plugin
// of their own, so the rest of your app keeps Fastify's JSON parser.
//
//   (the variables of express.js) PORT=8080 node recipes/fastify.js
const Fastify = require('fastify');
const { paymentNotifyV2 } = require('./notify-v2');
const { paymentNotifyV3 } = require('./notify-v3');

const raw = (req, body, done) => done(null, body);

async function wxpayNotifies(f) {
  f.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'buffer', bodyLimit: 64 * 1024 }, raw);
  f.removeContentTypeParser('application/json');
  f.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, raw);

  f.post('/wxpay/notify', async (req, reply) => reply.type('application/xml').send(await paymentNotifyV2(req.body)));

  f.post('/wxpay/v3/notify', async (req, reply) => {
    const { status, body } = await paymentNotifyV3(req.headers, req.body);
    return reply.code(status).type('application/json').send(body);
  });
}

function build() {
  const app = Fastify();
  app.register(wxpayNotifies); // encapsulated: the parsers above apply to these routes only
  return app;
}

module.exports = { build };

if (require.main === module) {
  build().listen({ port: Number(process.env.PORT || 8080), host: '127.0.0.1' }).then((address) => console.log(`listening on ${address}`));
}
