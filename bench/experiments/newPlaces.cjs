// Scripts whose promises are made at places the recorder's caches cannot reuse, so that without
// its overhead limit each promise would cost a stack capture. Run one case under the runner, with
// and without `--no-overhead-limit`, and under plain node (docs/benchmark.md, W6):
//
//   node dist/cli.js run --trace /tmp/t.cdt bench/experiments/newPlaces.cjs <case> [n]
//
// Cases: topLoop (n promises with a `.then` made by a loop at top level), readline (`for await`
// over n lines of a stream), asyncLoop (an async loop of n awaited calls, run until 320,000 calls),
// promiseAll (rounds of `Promise.all` over n calls, 200,000 calls in all), hugeFunction (an async
// function of n lines, each awaiting a call, run 5 times).
const { createInterface } = require('node:readline');
const { Readable } = require('node:stream');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const [kind = 'topLoop', nArg] = process.argv.slice(2);

async function step(i) {
  await null;
  return i;
}

const cases = {
  topLoop(n = 1_000_000) {
    let total = 0;
    for (let i = 0; i < n; i++) new Promise((resolve) => resolve(i)).then((v) => (total += v % 7));
    setTimeout(() => console.log(`topLoop ${total}`), 0);
  },
  async readline(n = 500_000) {
    const chunks = [];
    for (let c = 0; c < n; c += 1000) {
      let text = '';
      for (let i = c; i < Math.min(n, c + 1000); i++) text += `2026-11-26 GET user${i % 977} /items/${i}\n`;
      chunks.push(Buffer.from(text));
    }
    const users = new Set();
    for await (const line of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })) users.add(line.split(' ')[2]);
    console.log(`readline ${users.size}`);
  },
  async asyncLoop(n = 20_000) {
    let total = 0;
    for (let done = 0; done < 320_000; done += n) {
      for (let i = 0; i < n; i++) total += await step(i);
    }
    console.log(`asyncLoop ${total}`);
  },
  async promiseAll(n = 500) {
    let total = 0;
    for (let done = 0; done < 200_000; done += n) total += (await Promise.all(Array.from({ length: n }, (_, i) => step(i)))).length;
    console.log(`promiseAll ${total}`);
  },
  async hugeFunction(n = 20_000) {
    let body = 'exports.huge = async function huge(step) {\n  let t = 0;\n';
    for (let i = 0; i < n; i++) body += `  t += await step(${i});\n`;
    const file = join(mkdtempSync(join(tmpdir(), 'new-places-')), 'huge.js');
    writeFileSync(file, body + '  return t;\n};\n');
    const { huge } = require(file);
    let total = 0;
    for (let r = 0; r < 5; r++) total += await huge(step);
    console.log(`hugeFunction ${total}`);
  },
};

if (!cases[kind]) {
  console.error(`newPlaces: unknown case '${kind}' (known: ${Object.keys(cases).join(', ')})`);
  process.exit(2);
}
cases[kind](nArg === undefined ? undefined : Number(nArg));
