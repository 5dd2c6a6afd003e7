// Worker of workersInParallel.ts: counts primes below the number it is given, on its own thread.
const { parentPort, workerData } = require('node:worker_threads');

let count = 0;
for (let n = 2; n < workerData.limit; n++) {
  let prime = true;
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) {
      prime = false;
      break;
    }
  }
  if (prime) count++;
}
parentPort.postMessage(count);
