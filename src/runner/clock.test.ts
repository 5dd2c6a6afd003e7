import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { transformSync } from 'esbuild';

test('the clock agrees with hrtime (the clock of Node\'s trace events) within a few µs, made first thing in a thread', () => {
  // A fresh process, so that making the clock is the thread's first use of performance.now().
  const code = transformSync(readFileSync(join(__dirname, 'clock.ts'), 'utf8'), { loader: 'ts', format: 'cjs' }).code;
  const probe = `
    const module = { exports: {} };
    (function (exports, module) { ${code} })(module.exports, module);
    const origin = process.hrtime.bigint();
    const clock = module.exports.makeClock(String(origin));
    // hrtime read between two clock readings: how far the clock is from it, at best over many tries.
    let best = Infinity;
    for (let i = 0; i < 200; i++) {
      const a = clock();
      const hr = Number((process.hrtime.bigint() - origin) / 1000n);
      const b = clock();
      if (b - a <= 2) best = Math.min(best, Math.max(Math.abs(a - hr), Math.abs(b - hr)));
    }
    console.log(best);`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const err = Number(r.stdout.trim());
  assert.ok(err <= 5, `clock off by ${err} µs`);
});
