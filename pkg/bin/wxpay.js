#!/usr/bin/env node
'use strict';
// The package's command: `npx wxpay doctor [--env-file FILE]` (pkg/README.md).
const fs = require('node:fs');

const USAGE = `usage: wxpay doctor [--env-file FILE]

  doctor   checks the settings wxpay-server serve reads (WXPAY_*, from the environment and
           FILE, the environment winning) against the configured WeChat Pay (WXPAY_API_BASE,
           real or wxpay-sim): one line per finding, in Chinese and English, with the fix.
           Exit 0 when nothing fails, 1 when something does, 2 on a usage error.`;

function usage(message) {
  if (message) process.stderr.write(`wxpay: ${message}\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== 'doctor') return usage(command ? `unknown command ${JSON.stringify(command)}` : 'no command');
  let envFile;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--env-file' && i + 1 < rest.length) envFile = rest[++i];
    else if (a.startsWith('--env-file=')) envFile = a.slice('--env-file='.length);
    else return usage(`unknown argument ${JSON.stringify(a)}`);
  }
  let envFileText;
  if (envFile !== undefined) {
    try {
      envFileText = fs.readFileSync(envFile, 'utf8');
    } catch (e) {
      return usage(`cannot read --env-file ${envFile}: ${e.code || e.message}`);
    }
  }
  const { doctor } = require('../doctor');
  const result = await doctor({ env: process.env, envFileText });
  process.stdout.write(result.lines.map((l) => `${l}\n`).join(''));
  process.exitCode = result.exitCode;
}

main(process.argv.slice(2)).catch((e) => {
  // A bug of doctor's own: its message, not its values (the stack names files, never settings).
  process.stderr.write(`wxpay doctor: internal error: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
