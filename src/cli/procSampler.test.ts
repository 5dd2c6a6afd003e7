import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcSampler } from './procSampler';

test("the process's own list of its threads adds those no sample saw, as one last sample", () => {
  // A pid that does not exist: every sample finds nothing, like samples that missed a short-lived pool.
  const sampler = new ProcSampler(2 ** 22 + 1, () => 100);
  sampler.sample();
  assert.deepEqual(sampler.stop(), []);
  const seen = sampler.addFinal(
    [
      [10, 'node'],
      [11, 'libuv-worker'],
      [12, 'libuv-worker'],
    ],
    500,
  );
  assert.deepEqual(
    seen.map((t) => [t.tid, t.comm, t.firstSeen, t.lastSeen]),
    [
      [10, 'node', 500, 500],
      [11, 'libuv-worker', 500, 500],
      [12, 'libuv-worker', 500, 500],
    ],
  );
  assert.equal(sampler.sampleTimes.at(-1), 500);
});

/** One sample at 100, then the script's last list at 900 naming this process's first thread `comm`: [its name, first seen, last seen, its first name]. */
function sampledThenListed(comm: string): [string | undefined, number | undefined, number | undefined, string] {
  let now = 100;
  const sampler = new ProcSampler(process.pid, () => now);
  sampler.sample();
  const [first] = sampler.snapshot();
  assert.ok(first, 'this process has threads');
  now = 900;
  const t = sampler.addFinal([[first.tid, comm]], 900).find((s) => s.tid === first.tid);
  return [t?.comm, t?.firstSeen, t?.lastSeen, first.comm];
}

test('a thread a sample saw keeps its first sight; the last list extends its life', () => {
  const [comm, firstSeen, lastSeen, sampled] = sampledThenListed('renamed');
  assert.deepEqual([comm, firstSeen, lastSeen], [sampled, 100, 900]);
});

test('a thread first seen before libuv named it takes the pool name from the last list', () => {
  const [comm, firstSeen, lastSeen] = sampledThenListed('libuv-worker');
  assert.deepEqual([comm, firstSeen, lastSeen], ['libuv-worker', 100, 900]);
});
