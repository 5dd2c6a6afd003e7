// W6 — promises that no cache applies to: a `for await` over the lines of a stream (readline), and
// promises made in a loop at top level. The recorder knows what a promise is from a stack capture
// cached by place; here the places never repeat in a way it can use, so without its overhead limit
// it would take a capture per promise. Measures that limit: the runner's cost stays bounded.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

const LINES = 200_000;
const chunks = [];
for (let c = 0; c < LINES / 1000; c++) {
  let text = '';
  for (let i = c * 1000; i < (c + 1) * 1000; i++) text += `2026-11-26 GET user${i % 977} /items/${i}\n`;
  chunks.push(Buffer.from(text));
}

const users = new Map();
const rl = createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
for await (const line of rl) {
  const user = line.split(' ')[2];
  users.set(user, (users.get(user) ?? 0) + 1);
}

let sum = 0;
for (let i = 0; i < LINES; i++) new Promise((resolve) => resolve(i)).then((v) => (sum += v % 7));
await new Promise((resolve) => setTimeout(resolve, 1));
// Deterministic output: the harness checks it is the same with and without a recorder.
console.log(`W6 users=${users.size} lines=${[...users.values()].reduce((a, b) => a + b, 0)} sum=${sum}`);
