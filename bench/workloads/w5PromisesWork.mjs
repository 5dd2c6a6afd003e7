// W5 — promise-heavy with work between the awaits: W1's shape (100 concurrent chains, `top` → `mid` →
// 4 × `leaf`, 300,600 awaits, 167,100 async calls), but each `leaf` also parses and checks a batch of
// small JSON records after its await, as code that awaits a database or a cache then handles rows does.
// The amount of work is set so that the bare async_hooks peer costs about what it is quoted to cost on
// a promise-heavy workload (~1.8× plain): W1, with almost nothing between awaits, is the extreme case.

const CHAINS = 100;
const MIDS_PER_CHAIN = 334;
const ROWS_PER_LEAF = 16;

const rows = Array.from({ length: 64 }, (_, i) =>
  JSON.stringify({ id: i, name: `item-${i}`, tags: ['a', 'b', String(i % 7)], price: i * 1.25, stock: { here: i % 5, there: i % 3 } }),
);

let awaits = 0;

/** Parses and checks a batch of rows: a few µs of ordinary work. */
function handleRows(i) {
  let h = 0;
  for (let r = 0; r < ROWS_PER_LEAF; r++) {
    const row = JSON.parse(rows[(i + r) & 63]);
    if (row.stock.here + row.stock.there >= 0) h = (h * 31 + row.id + row.tags.length + row.name.length) >>> 0;
  }
  return h;
}

async function leaf(i) {
  awaits++;
  await null;
  return handleRows(i) >>> 28;
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
console.log(`W5 awaits=${awaits} checksum=${checksum}`);
