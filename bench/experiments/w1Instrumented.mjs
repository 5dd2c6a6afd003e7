// W1 instrumented by hand, the way a compile-time transform of the script's async functions could do
// it: at each async function's entry, around each `await` and at its exit, one call writes a tag, a
// task id and a timestamp into a typed array, flushed to a file. No promise hooks, no stack captures,
// no CLI process: a lower bound for any recorder that writes what W1's task lanes need.
//
//   node bench/experiments/w1Instrumented.mjs [out-file]    (compare with bench/workloads/w1Promises.mjs)
import { closeSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fd = openSync(process.argv[2] ?? join(tmpdir(), 'w1-instrumented.bin'), 'w');
const CAPACITY = 1 << 16;
const records = new Float64Array(CAPACITY * 3);
let count = 0;
let running = 0;
let nextId = 1;

function flush() {
  writeSync(fd, new Uint8Array(records.buffer, 0, count * 24));
  count = 0;
}
function record(tag, id) {
  if (count === CAPACITY) flush();
  const i = count++ * 3;
  records[i] = tag;
  records[i + 1] = id;
  records[i + 2] = performance.now();
}
/** A task starts (tag > 0: its function); returns [its id, the task it interrupts]. */
function enter(fn) {
  const id = nextId++;
  record(fn, id);
  const task = [id, running];
  running = id;
  return task;
}
function suspend(task) {
  record(-1, task[0]);
  running = task[1];
}
function resume(task) {
  task[1] = running;
  running = task[0];
  record(-2, task[0]);
}
function exit(task) {
  record(-3, task[0]);
  running = task[1];
}

const CHAINS = 100;
const MIDS_PER_CHAIN = 334;
let awaits = 0;

async function leaf(i) {
  const t = enter(1);
  try {
    awaits++;
    suspend(t);
    await null;
    resume(t);
    return (i * 2654435761) >>> 28;
  } finally {
    exit(t);
  }
}

async function mid(i) {
  const t = enter(2);
  try {
    let sum = 0;
    for (let k = 0; k < 4; k++) {
      awaits++;
      const p = leaf(i + k);
      suspend(t);
      const v = await p;
      resume(t);
      sum += v;
    }
    return sum;
  } finally {
    exit(t);
  }
}

async function top(chain) {
  const t = enter(3);
  try {
    let sum = 0;
    for (let m = 0; m < MIDS_PER_CHAIN; m++) {
      awaits++;
      const p = mid(chain * MIDS_PER_CHAIN + m);
      suspend(t);
      const v = await p;
      resume(t);
      sum += v;
    }
    return sum;
  } finally {
    exit(t);
  }
}

const sums = await Promise.all(Array.from({ length: CHAINS }, (_, c) => top(c)));
flush();
closeSync(fd);
const checksum = sums.reduce((a, b) => (a + b) % 1000003, 0);
console.log(`W1 awaits=${awaits} checksum=${checksum}`);
