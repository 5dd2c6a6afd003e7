// Async functions interleave on one thread.
//
// Promise.all starts three calls of `stage()`; each is its own task lane in the diagram. Every
// `await` splits a lane into running pieces (its code on the main thread) and waiting pieces
// (suspended, while the timer or the file system works). Only one piece runs at any moment: they
// take turns on the main thread, which is what "concurrent but not parallel" looks like.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

async function load(name: string): Promise<number> {
  const text = await readFile(process.argv[1], 'utf8');
  return text.length + name.length;
}

async function transform(n: number): Promise<number> {
  await sleep(20);
  let x = n;
  for (let i = 0; i < 200_000; i++) x = (x * 31 + i) % 1_000_003; // a little CPU work
  return x;
}

async function stage(name: string): Promise<string> {
  const size = await load(name);
  const value = await transform(size);
  await sleep(10);
  return `${name}: ${value}`;
}

const results = await Promise.all([stage('alpha'), stage('beta'), stage('gamma')]);
console.log(results.join('\n'));
