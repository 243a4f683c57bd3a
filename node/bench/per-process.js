'use strict';
// Process CPU per call, each path measured in a process of its own, the paths taking turns: for
// sign-cpu.js and open-cpu.js. CPU time (`process.cpuUsage`) rather than wall time, which swings
// between runs on a shared VM; a process per measurement because two builds in one process share
// call sites, and V8's feedback there, which skewed comparisons either way.
const { execFileSync } = require('node:child_process');

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Microseconds of process CPU per call of `f`: `calls` calls after `warmup` to warm up. */
function cpuPerCall(f, calls, warmup) {
  for (let i = 0; i < warmup; i++) f();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

/**
 * The median µs per call of each path over `rounds` rounds, the paths taking turns: each
 * measurement is `node FILE --child ...args` (the path's arguments, then `extra`), whose output is
 * its µs per call. `paths` is `[label, ...args]`; answers a Map from label to median.
 */
function inTurns(file, paths, rounds, extra = []) {
  const times = new Map(paths.map(([label]) => [label, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [label, ...args] of paths) {
      times.get(label).push(Number(execFileSync(process.execPath, [file, '--child', ...args, ...extra], { encoding: 'utf8' })));
    }
  }
  return new Map([...times].map(([label, xs]) => [label, median(xs)]));
}

module.exports = { median, cpuPerCall, inTurns };
