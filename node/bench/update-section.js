'use strict';
// Replaces one generated section of BENCHMARKS.md, between
// <!-- bench:NAME:start --> and <!-- bench:NAME:end -->, leaving the prose around it alone.
// Each scripts/bench section owns one such block; a missing block is appended.
const fs = require('node:fs');

function updateSection(file, name, block) {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const fresh = `${start}\n${block}\n${end}`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  const next = a >= 0 && b > a ? text.slice(0, a) + fresh + text.slice(b + end.length) : `${text.trimEnd()}\n\n${fresh}\n`;
  fs.writeFileSync(file, next);
}

module.exports = { updateSection };

if (require.main === module) {
  const [file, name] = process.argv.slice(2);
  updateSection(file, name, fs.readFileSync(0, 'utf8').trimEnd());
}
