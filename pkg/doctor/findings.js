'use strict';
// The findings table (findings.json, shared with `wxpay-server doctor`): one line per finding,
// the mark of its severity, its code, Chinese, English, then the fix in both. Placeholders are
// filled with non-secret values only; `report` also masks every secret it is given, in case.
const TABLE = require('./findings.json').findings;

const MARKS = { pass: '✓', note: '·', warn: '!', fail: '✗' };

/** `{name}` replaced by `values.name`; a placeholder without a value is left as it is. */
function fill(text, values) {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name) => (values[name] === undefined ? whole : String(values[name])));
}

/** A finding of the table: `{ code, severity, zh, en, fixZh, fixEn }`, its placeholders filled. */
function finding(code, values = {}) {
  const entry = TABLE[code];
  if (!entry) throw new Error(`doctor: no finding ${code} in findings.json`);
  return {
    code,
    severity: entry.severity,
    zh: fill(entry.zh, values),
    en: fill(entry.en, values),
    fixZh: fill(entry.fix_zh, values),
    fixEn: fill(entry.fix_en, values),
  };
}

/** One line: `✗ CODE 中文 / English → 修正 / fix`. */
function line(f) {
  const head = `${MARKS[f.severity]} ${f.code} ${f.zh} / ${f.en}`;
  return f.fixZh || f.fixEn ? `${head} → ${f.fixZh} / ${f.fixEn}` : head;
}

/** Every occurrence of a secret value (six characters or more) replaced by `***`. */
function mask(text, secrets) {
  let out = text;
  for (const s of secrets) {
    if (typeof s === 'string' && s.length >= 6) out = out.split(s).join('***');
  }
  return out;
}

const failed = (findings) => findings.some((f) => f.severity === 'fail');

module.exports = { TABLE, MARKS, finding, line, mask, failed };
