#!/usr/bin/env python3
"""Turns `cargo bench --bench core` output (stdin) into the Markdown block of BENCHMARKS.md."""
import datetime
import os
import platform
import re
import sys

text = sys.stdin.read()
rows = re.findall(r"^(\S[^\n]*?)\s*\n?\s*time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", text, re.M)
if not rows:
    sys.exit("no criterion results in the input")
scale = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
load = open("/proc/loadavg").read().split()[0]
print(f"Measured by `scripts/bench core` on {datetime.date.today()}: `cargo bench --bench core`, "
      f"{cpu} × {os.cpu_count()}, load average {load}. Criterion's median estimate.")
print()
print("| operation (v2: a 16-field notify; v3: the payment notify of tests/data/v3_vectors.json) | time | ops/s (one core) |")
print("| --- | ---: | ---: |")
for name, value, unit in rows:
    secs = float(value) * scale[unit]
    print(f"| {name.strip()} | {value} {unit} | {1 / secs:,.0f} |")
