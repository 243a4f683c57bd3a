'use strict';
// The code blocks of a Markdown file, and what their `console.log(…); // output` lines say they
// print: the README tests run them as written.
const fs = require('node:fs');

/** The fenced code blocks of a Markdown file: `{ lang, code, line }`. */
function codeBlocks(file) {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = [];
  const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m; (m = re.exec(text)); ) blocks.push({ lang: m[1], code: m[2], line: text.slice(0, m.index).split('\n').length });
  return blocks;
}

/** What the `console.log(…); // expected` lines of a block say it prints, in order. */
function expectedOutput(code) {
  return [...code.matchAll(/^\s*console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1]);
}

module.exports = { codeBlocks, expectedOutput };
