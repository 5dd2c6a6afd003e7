// The floor of any recorder built on Node's hooks, as a preload: it installs the same hooks as the
// runner (async_hooks without promise tracking, and V8's promise hooks installed on their own, as
// src/runner/asyncRecorder.ts does where Node would track promises too), and does as little as a
// recorder can in them.
// No stack captures, no task lanes, no sources, no CLI process: what is left of a run's cost beyond
// this is the runner's own analysis.
//
//   HOOK_FLOOR=<mode> node --require ./bench/experiments/hookFloor.cjs bench/workloads/w1Promises.mjs
//
// Modes, each doing what the one before does and more:
//   empty    hooks that return at once
//   clock    one clock read (`performance.now()`) per event
//   records  one record per event (tag, id, time) in a Float64Array, written to a file when full
//   ids      as records, and each promise gets an id at its init, looked up at its other events,
//            which any recorder pairing a promise's events needs. The id is a property under a
//            symbol of this file, the cheapest way tried (a WeakMap cost W1 about twice as much, a
//            Map more still). A real recorder could not use it on the script's own promises as is:
//            reflection (`Object.getOwnPropertySymbols`) would show it to the script.
// HOOK_FLOOR_OUT names the output file (default: hook-floor.bin in the OS temp folder);
// HOOK_FLOOR_COUNT=1 prints the number of records to stderr at exit.
'use strict';
const asyncHooks = require('node:async_hooks');
const v8 = require('node:v8');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const mode = process.env.HOOK_FLOOR || 'records';
if (!['empty', 'clock', 'records', 'ids'].includes(mode)) {
  process.stderr.write(`hookFloor: HOOK_FLOOR=${mode}: expected empty, clock, records or ids\n`);
  process.exit(2);
}
const withClock = mode !== 'empty';
const withRecords = mode === 'records' || mode === 'ids';
const withIds = mode === 'ids';

const SLOTS = 1 << 15;
const slots = new Float64Array(SLOTS * 3);
let used = 0;
let total = 0;
let fd = -1;

function drain() {
  if (fd < 0) fd = fs.openSync(process.env.HOOK_FLOOR_OUT || path.join(os.tmpdir(), 'hook-floor.bin'), 'w');
  fs.writeSync(fd, new Uint8Array(slots.buffer, 0, used * 24));
  used = 0;
}

function event(tag, id) {
  if (!withClock) return;
  const ts = performance.now();
  if (!withRecords) return;
  if (used === SLOTS) drain();
  const i = used++ * 3;
  slots[i] = tag;
  slots[i + 1] = id;
  slots[i + 2] = ts;
  total++;
}

const ID = Symbol('hookFloor.id');
let nextPromiseId = 1;
function idOf(p) {
  return withIds ? (p[ID] ?? 0) : 0;
}

// Node >= 24.9 honours `trackPromises: false`; before, any init hook makes Node track every promise.
let promisesSeen = false;
const probe = asyncHooks
  .createHook({
    init(_id, type) {
      if (type === 'PROMISE') promisesSeen = true;
    },
    trackPromises: false,
  })
  .enable();
void Promise.resolve();
probe.disable();

asyncHooks
  .createHook({
    init(asyncId, type) {
      if (type !== 'PROMISE') event(1, asyncId);
    },
    before(asyncId) {
      event(2, asyncId);
    },
    after(asyncId) {
      event(3, asyncId);
    },
    trackPromises: false,
  })
  .enable();

const promiseHooks = {
  init(p) {
    let id = 0;
    if (withIds) {
      id = nextPromiseId++;
      p[ID] = id;
    }
    event(4, id);
  },
  before(p) {
    event(5, idOf(p));
  },
  after(p) {
    event(6, idOf(p));
  },
  settled(p) {
    event(7, idOf(p));
  },
};
v8.promiseHooks.createHook(promiseHooks);
// As the runner does where Node tracks promises: only these promise hooks, not also Node's dispatcher.
if (promisesSeen) {
  const quiet = process.noDeprecation;
  try {
    process.noDeprecation = true;
    const binding = process.binding('async_wrap');
    if (typeof binding.setPromiseHooks === 'function') {
      binding.setPromiseHooks(promiseHooks.init, promiseHooks.before, promiseHooks.after, promiseHooks.settled);
    }
  } catch {
    // Not there: both dispatchers stay, which only costs more.
  } finally {
    process.noDeprecation = quiet;
  }
}

process.on('exit', () => {
  if (withRecords) drain();
  if (process.env.HOOK_FLOOR_COUNT) process.stderr.write(`hookFloor: ${mode}: ${total} records\n`);
});
