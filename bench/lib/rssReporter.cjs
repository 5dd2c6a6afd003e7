// Preloaded into every Node process of a benchmark run (through NODE_OPTIONS=--require): at exit it
// appends one JSON line with the process's peak resident set size, CPU time and lifetime to the file
// named by CD_BENCH_REPORT. The harness picks the line of the workload's own process for memory, so
// the recorder's CLI or Clinic's wrapper processes do not count towards the script's memory, and
// sums the CPU time of all lines (the whole process tree).
'use strict';
const fs = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const out = process.env.CD_BENCH_REPORT;
if (out && isMainThread) {
  process.on('exit', (code) => {
    try {
      const usage = process.resourceUsage();
      const line = JSON.stringify({
        pid: process.pid,
        script: process.argv[1] || '',
        // resourceUsage().maxRSS is in kilobytes on every platform.
        maxRssKb: usage.maxRSS,
        // CPU time of all of the process's threads (JS, libuv pool, V8 helpers), µs.
        cpuUs: usage.userCPUTime + usage.systemCPUTime,
        uptimeMs: Math.round(process.uptime() * 1000),
        code,
      });
      fs.appendFileSync(out, line + '\n');
    } catch {
      // A reporter must never change how the measured process ends.
    }
  });
}
