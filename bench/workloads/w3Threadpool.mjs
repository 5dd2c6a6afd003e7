// W3 — threadpool CPU: 64 `crypto.pbkdf2` and 64 `zlib.gzip` of 1 MB, all submitted at once, so
// the libuv threadpool (4 threads by default) runs them while the rest wait in its queue.
// Almost all the time is spent off the JS thread: a recorder should cost next to nothing here.
import { pbkdf2 } from 'node:crypto';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const JOBS = 64;
const ITERATIONS = 100_000;
const MB = 1024 * 1024;

const pbkdf2Async = promisify(pbkdf2);
const gzipAsync = promisify(gzip);

// 1 MB of text that compresses like ordinary data (a repeating but shifting pattern), not random bytes.
const input = Buffer.alloc(MB);
for (let i = 0; i < MB; i++) input[i] = 97 + ((i * 7 + (i >> 10)) % 26);

const hashes = Array.from({ length: JOBS }, (_, i) => pbkdf2Async(`secret-${i}`, 'salt', ITERATIONS, 32, 'sha256'));
const zips = Array.from({ length: JOBS }, () => gzipAsync(input));
const [keys, gzipped] = await Promise.all([Promise.all(hashes), Promise.all(zips)]);

const keyBytes = keys.reduce((n, k) => n + k.length, 0);
const zipBytes = gzipped.reduce((n, z) => n + z.length, 0);
console.log(`W3 pbkdf2=${keys.length} keyBytes=${keyBytes} gzip=${gzipped.length} gzipBytes=${zipBytes}`);
