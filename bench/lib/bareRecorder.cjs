// The "bare async_hooks recorder" peer of the benchmark: what the least a recorder built on
// async_hooks costs. It records every async resource (PROMISE included, as async_hooks gives them)
// with its type and trigger, and every before/after/destroy, each with a timestamp, as text lines
// written in batches; no call sites, no task lanes, no threads. Preloaded with --require; the
// output file is CD_BENCH_BARE_TRACE.
'use strict';
const asyncHooks = require('node:async_hooks');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

const file = process.env.CD_BENCH_BARE_TRACE;
if (file) {
  const fd = fs.openSync(file, 'a');
  let lines = [];
  const flush = () => {
    if (lines.length === 0) return;
    fs.writeSync(fd, lines.join('\n') + '\n');
    lines = [];
  };
  const add = (line) => {
    lines.push(line);
    if (lines.length >= 8192) flush();
  };
  asyncHooks
    .createHook({
      init(id, type, trigger) {
        add(`I ${id} ${type} ${trigger} ${performance.now().toFixed(3)}`);
      },
      before(id) {
        add(`B ${id} ${performance.now().toFixed(3)}`);
      },
      after(id) {
        add(`A ${id} ${performance.now().toFixed(3)}`);
      },
      destroy(id) {
        add(`D ${id} ${performance.now().toFixed(3)}`);
      },
    })
    .enable();
  process.on('exit', flush);
}
