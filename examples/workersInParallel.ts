// Workers really run in parallel.
//
// Unlike async functions, worker_threads Workers each have their own thread with its own event
// loop. The diagram shows one lane per Worker; their busy stretches overlap in time (on a machine
// with more than one core), while the main thread mostly waits for their messages.
import { join, dirname } from 'node:path';
import { Worker } from 'node:worker_threads';

// The worker is plain JavaScript next to this file.
const workerFile = join(dirname(process.argv[1]), 'primeWorker.cjs');

function countPrimes(limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile, { workerData: { limit } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

const counts = await Promise.all([countPrimes(2_000_000), countPrimes(2_000_000)]);
console.log(`primes below 2,000,000, counted twice in parallel: ${counts.join(', ')}`);
