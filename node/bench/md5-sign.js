'use strict';
// The v2 signature in JavaScript with node:crypto's MD5: what the benchmarks measure `sign`
// against (the rule: non-empty fields but `sign`, in ASCII order, then `&key=`). Its source text
// is also what the cold-start processes of wasm-vs-js.js run (`md5Sign.toString()`), so it names
// only `crypto`.
const crypto = require('node:crypto');

function md5Sign(fields, key) {
  const text =
    Object.keys(fields)
      .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] != null)
      .sort()
      .map((k) => k + '=' + fields[k])
      .join('&') + '&key=' + key;
  return crypto.createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

module.exports = { md5Sign };
