// Preloaded into every Node process of a benchmark run (through NODE_OPTIONS=--require): at exit it
// appends one JSON line with the process's peak resident set size and lifetime to the file named by
// CD_BENCH_REPORT. The harness then picks the line of the workload's own process, so the recorder's
// CLI or Clinic's wrapper processes do not count towards the script's memory.
'use strict';
const fs = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const out = process.env.CD_BENCH_REPORT;
if (out && isMainThread) {
  process.on('exit', (code) => {
    try {
      const line = JSON.stringify({
        pid: process.pid,
        script: process.argv[1] || '',
        // resourceUsage().maxRSS is in kilobytes on every platform.
        maxRssKb: process.resourceUsage().maxRSS,
        uptimeMs: Math.round(process.uptime() * 1000),
        code,
      });
      fs.appendFileSync(out, line + '\n');
    } catch {
      // A reporter must never change how the measured process ends.
    }
  });
}
