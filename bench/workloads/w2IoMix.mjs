// W2 — I/O mix: a localhost HTTP server in this same process, 2000 `fetch`es to it by host *name*
// (so each new connection does a getaddrinfo on the libuv threadpool) at a concurrency of 50, while
// 2000 small `fs.promises.readFile`s run alongside, also 50 at a time.
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FETCHES = 2000;
const READS = 2000;
const CONCURRENCY = 50;
const FILES = 20;

const dir = mkdtempSync(join(tmpdir(), 'cd-bench-w2-'));
const files = [];
for (let i = 0; i < FILES; i++) {
  const f = join(dir, `small-${i}.txt`);
  writeFileSync(f, `file ${i}\n`.repeat(64));
  files.push(f);
}

const server = createServer((req, res) => {
  const body = JSON.stringify({ path: req.url, ok: true });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());

/** Runs `count` jobs through `CONCURRENCY` async loops; returns the sum of their results. */
async function pool(count, job) {
  let next = 0;
  let sum = 0;
  async function loop() {
    while (next < count) {
      const i = next++;
      // Read the result first: `sum += await …` would add to a stale `sum`.
      const result = await job(i);
      sum += result;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return sum;
}

async function fetchOne(i) {
  const res = await fetch(`http://localhost:${port}/item/${i}`);
  const json = await res.json();
  return json.ok ? 1 : 0;
}

async function readOne(i) {
  const text = await readFile(files[i % FILES], 'utf8');
  return text.length;
}

try {
  const [fetched, bytes] = await Promise.all([pool(FETCHES, fetchOne), pool(READS, readOne)]);
  console.log(`W2 fetched=${fetched} readBytes=${bytes}`);
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
