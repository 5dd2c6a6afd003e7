// W4 — timers and synchronous blocks: 20,000 `setTimeout` callbacks spread over ~200 ms, 20,000
// `setImmediate` callbacks, and 12 synchronous stretches of CPU work long enough (> 10 ms) to block
// the event loop. Timers are created from many call sites' worth of callbacks, so a recorder that
// captures a stack per non-promise resource pays for it here.

const TIMERS = 20_000;
const IMMEDIATES = 20_000;
const BLOCKS = 12;
const BLOCK_WORK = 4_000_000;

let checksum = 0;

/** A fixed amount of CPU work (not a fixed time, so it costs the same with or without a recorder). */
function spin(n) {
  let x = 1;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) & 0x7fffffff;
  return x & 0xff;
}

function onTimer(i) {
  checksum = (checksum + spin(200) + i) % 1000003;
}

function onImmediate(i) {
  checksum = (checksum + spin(100) + i) % 1000003;
}

function block(i) {
  checksum = (checksum + spin(BLOCK_WORK) + i) % 1000003;
}

await new Promise((resolve) => {
  let pending = TIMERS + IMMEDIATES + BLOCKS;
  const done = () => {
    if (--pending === 0) resolve();
  };
  for (let i = 0; i < TIMERS; i++) {
    setTimeout(() => {
      onTimer(i);
      done();
    }, i % 200);
  }
  // Immediates are queued in batches from timers, so they interleave with timer callbacks.
  for (let b = 0; b < 20; b++) {
    setTimeout(() => {
      for (let i = 0; i < IMMEDIATES / 20; i++) {
        setImmediate(() => {
          onImmediate(i);
          done();
        });
      }
    }, b * 10);
  }
  for (let i = 0; i < BLOCKS; i++) {
    setTimeout(() => {
      block(i);
      done();
    }, 5 + i * 17);
  }
});
console.log(`W4 timers=${TIMERS} immediates=${IMMEDIATES} blocks=${BLOCKS} checksum=${checksum}`);
