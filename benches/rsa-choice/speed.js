// wasm sign and verify times of one backend (argv[2]: its wasm-bindgen output directory), on
// the JSAPI-order request of tests/data/v3_vectors.json; the signature must equal Python's.
const fs = require('fs');
const path = require('path');
const m = require(path.resolve(process.argv[2], 'rsa_choice.js'));
const v = JSON.parse(fs.readFileSync(path.join(__dirname, '../../tests/data/v3_vectors.json'), 'utf8'));
const msg = Buffer.from(v.requests[1].message);
const expected = Buffer.from(v.requests[1].signature, 'base64');
const s = new m.Signer(), k = new m.Verifier();
const sig = Buffer.from(s.sign(msg));
if (!sig.equals(expected)) throw new Error('signature differs from Python cryptography');
if (!k.verify(msg, sig)) throw new Error('verify failed');
function med(f, n) { const t = []; for (let r = 0; r < 7; r++) { const a = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); t.push(Number(process.hrtime.bigint() - a) / 1e3 / n); } t.sort((a, b) => a - b); return t[3]; }
console.log(`wasm sign ${med(() => s.sign(msg), 10).toFixed(0)} µs, verify ${med(() => k.verify(msg, sig), 100).toFixed(1)} µs`);
