// File reads wait behind unrelated crypto work.
//
// fs.readFile() looks cheap, but its open/read/close steps are jobs on the same libuv threadpool as
// crypto.pbkdf2(). Start four slow hashes first and the reads queue behind them: the diagram shows
// the reads "queued" for as long as the hashes run, although the disk was idle. That hidden latency
// is invisible in the code; the threadpool lanes make it obvious.
import { pbkdf2 } from 'node:crypto';
import { readFile } from 'node:fs/promises';

function slowHash(i: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(`secret ${i}`, 'salt', 300_000, 64, 'sha512', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// Occupies all 4 threadpool threads.
const hashes = Promise.all([0, 1, 2, 3].map(slowHash));

// This script reads itself: these jobs can only start when a pool thread is free.
const reads = Promise.all([1, 2, 3].map(() => readFile(process.argv[1], 'utf8')));

const [, texts] = await Promise.all([hashes, reads]);
console.log(`read ${texts.length} × ${texts[0].length} characters after the hashes`);
