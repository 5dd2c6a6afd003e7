// A burst of crypto work saturates the libuv threadpool.
//
// crypto.pbkdf2() runs on the threadpool, which has 4 threads unless UV_THREADPOOL_SIZE says
// otherwise (setting "concurrencyDiagram.threadpoolSize"). Eight calls at once: four run, four wait
// in the queue. The diagram shows the queued part of each job before its running part, and the
// callbacks coming back to the main thread as the jobs finish.
import { pbkdf2 } from 'node:crypto';

function hash(i: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(`password ${i}`, 'salt', 200_000, 64, 'sha512', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const keys = await Promise.all(Array.from({ length: 8 }, (_, i) => hash(i)));
console.log(`derived ${keys.length} keys`);
