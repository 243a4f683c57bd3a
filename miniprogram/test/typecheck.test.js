'use strict';
// The mini-program's JS type-checks against WeChat's miniprogram-api-typings (tsc --checkJs
// with test/tsconfig.json, plus the wx option check of support/typecheck.js), and the check
// bites: each mistake below, made in a copy of one real file, is reported at that file.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./support/miniprogram');
const { typecheck } = require('./support/typecheck');

test('app.js, config.js, every page and util type-check against miniprogram-api-typings', () => {
  const { diagnostics, files, text } = typecheck();
  assert.equal(text, '');
  assert.equal(diagnostics.length, 0);
  const checked = files.map((f) => path.relative(ROOT, f)).sort();
  const pages = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')).pages.map((p) => `${p}.js`);
  for (const f of ['app.js', 'config.js', 'utils/request.js', 'utils/pay.js', ...pages]) assert.ok(checked.includes(f), `${f} is checked`);
});

// [file, what is there, the mistake, what the report must say]
const MISTAKES = [
  ['utils/request.js', '      timeout: config.requestTimeoutMs,', '      timout: config.requestTimeoutMs,', /'timout' does not exist in type 'RequestOption/],
  ['pages/confirm/confirm.js', 'wx.redirectTo({ url:', 'wx.redirectTo({ ulr:', /'ulr' does not exist in type 'RedirectToOption'/],
  // Promise-able APIs infer their option type from the literal: tsc alone lets these through.
  ['utils/pay.js', '      success: (res) => resolve(outcomeOf(', '      sucess: (res) => resolve(outcomeOf(', /wx\.requestPayment has no option 'sucess'/],
  ['pages/refund/refund.js', "wx.showToast({ title: '请选择退款原因', icon: 'none' })", "wx.showToast({ title: '请选择退款原因', icn: 'none' })", /wx\.showToast has no option 'icn'/],
  ['utils/pay.js', '      cancelText: \'取消\',', '      cancelTxt: \'取消\',', /wx\.showModal has no option 'cancelTxt'/],
  ['utils/session.js', 'wx.getStorageSync(KEY)', 'wx.getStorageSnyc(KEY)', /Property 'getStorageSnyc' does not exist on type 'Wx'/],
  ['utils/request.js', "      method,\n", "      method: 'FETCH',\n", /'"FETCH"' is not assignable/],
];

for (const [file, before, after, report] of MISTAKES) {
  test(`caught: ${after.trim()} in ${file}`, () => {
    const full = path.join(ROOT, file);
    const original = fs.readFileSync(full, 'utf8');
    assert.equal(original.split(before).length, 2, `${file} holds "${before}" once`);
    const { diagnostics, text } = typecheck({ overrides: { [full]: original.replace(before, after) } });
    assert.ok(diagnostics.length > 0, 'no error reported');
    assert.ok(diagnostics.every((d) => d.file && path.resolve(d.file.fileName) === full), text);
    assert.match(text, report);
  });
}
