// W1 — promise-heavy: 100 concurrent chains of nested async calls, 300,600 awaits in all.
// Each `top` awaits `mid` calls; each `mid` awaits four `leaf` calls; each `leaf` awaits once.
// The work between awaits is tiny on purpose: this measures the cost per await and per async call.

const CHAINS = 100;
const MIDS_PER_CHAIN = 334;

let awaits = 0;

async function leaf(i) {
  awaits++;
  await null;
  return (i * 2654435761) >>> 28;
}

async function mid(i) {
  let sum = 0;
  for (let k = 0; k < 4; k++) {
    awaits++;
    sum += await leaf(i + k);
  }
  return sum;
}

async function top(chain) {
  let sum = 0;
  for (let m = 0; m < MIDS_PER_CHAIN; m++) {
    awaits++;
    sum += await mid(chain * MIDS_PER_CHAIN + m);
  }
  return sum;
}

const sums = await Promise.all(Array.from({ length: CHAINS }, (_, c) => top(c)));
const checksum = sums.reduce((a, b) => (a + b) % 1000003, 0);
// Deterministic output: the harness checks it is the same with and without a recorder.
console.log(`W1 awaits=${awaits} checksum=${checksum}`);
