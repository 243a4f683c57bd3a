'use strict';
// `npx wxpay doctor`: the settings `wxpay-server serve` reads, checked against the configured
// WeChat Pay (real, or wxpay-sim). The clock first, so that a refusal caused by skew is told as
// skew (the v3 requests are then signed in WeChat's time); then the notify URL; then each
// version whose settings are given (the one of WXPAY_API_VERSION always).
const { finding, line, mask, failed } = require('./findings');
const { readSettings } = require('./settings');
const { checkClock, checkPublicUrl } = require('./common');
const { checkV2 } = require('./v2');
const { checkV3 } = require('./v3');

/**
 * Runs every check. `env`: the variables (process.env); `envFileText`: the `--env-file`'s text.
 * Returns `{ findings, lines, exitCode }`; `lines` are masked of every secret given.
 */
async function doctor({ env, envFileText }) {
  const { settings: s, findings: out, secrets } = readSettings(env, envFileText);
  if (s.apiBase) {
    const clock = await checkClock(s);
    out.push(...clock.findings, ...checkPublicUrl(s));
    if (!clock.unreachable) {
      const skew = clock.skewSecs || 0;
      const [first, second] = s.version === 'v3' ? [() => checkV3(s, skew), () => checkV2(s)] : [() => checkV2(s), () => checkV3(s, skew)];
      out.push(...(await first()));
      out.push(...(await second()));
    }
  } else {
    out.push(...checkPublicUrl(s));
  }
  return {
    findings: out,
    lines: out.map((f) => mask(line(f), secrets)),
    exitCode: failed(out) ? 1 : 0,
  };
}

module.exports = { doctor, finding, line };
