/**
 * The in-process recorder (src/runner), run through the CLI on every Node the project supports:
 * facts of the trace (threads, async operations and their sources, task lanes, errors, loop
 * stretches), never timings. Positions are checked against the fixture text itself.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CAPTURE_FLOOR_ENV, MAX_SITES_ENV } from '../../src/trace/format';
import { SegmentState, type AsyncOp, type SourceFrame, type Task, type TraceModel } from '../../src/trace/model';
import { fixture, nodeMajor, nodeVersions, runCli, tempDir, type CliResult } from './harness';

const runnerFixture = (name: string) => fixture(join('runner', name));

/** The kinds of async work of stackLimit.js. */
const STACK_LIMIT_KINDS = ['timeout', 'immediate', 'tick', 'microtask', 'then', 'promise', 'async', 'asyncGenerator', 'interval', 'clearedTimeout', 'fsReadFile'];

/** 1-based line of the line holding `marker`, and 1-based column of `callee` on it (where V8 puts a call). */
function positionOf(file: string, marker: string, callee: string): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `marker ${marker} in ${file}`);
  const c = lines[i].indexOf(callee);
  assert.ok(c >= 0, `${callee} on line ${i + 1} of ${file}`);
  return { line: i + 1, column: c + 1 };
}

function assertAt(frame: SourceFrame | undefined, file: string, pos: { line: number; column: number }, what: string): void {
  assert.ok(frame, `${what}: has a source`);
  assert.deepEqual({ file: frame.file, line: frame.line, column: frame.column }, { file, ...pos }, what);
}

/** Asserts every recorded frame in `file` is a position of its text: a line it has, a column on that line (or just past it). */
function assertRealPositions(m: TraceModel, file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const stacks = [...[...m.ops.values()].map((o) => o.stack), ...[...m.tasks.values()].map((t) => t.stack), ...m.errors.map((e) => e.stack), ...m.busy.map((b) => b.stack), ...m.blocked.map((b) => b.stack)];
  let seen = 0;
  for (const stack of stacks) {
    for (const f of stack) {
      if (f.file !== file) continue;
      seen++;
      const text = lines[f.line - 1];
      assert.ok(text !== undefined && f.column >= 1 && f.column <= text.length + 1, `${f.file}:${f.line}:${f.column} (${f.fn}) is not a position of the file (${lines.length} lines)`);
    }
  }
  assert.ok(seen > 0, 'frames in the file');
}

function opsOfType(m: TraceModel, type: string): AsyncOp[] {
  return [...m.ops.values()].filter((o) => o.type === type);
}

function tasksNamed(m: TraceModel, name: string): Task[] {
  return [...m.tasks.values()].filter((t) => t.name === name);
}

function segmentStates(t: Task): Set<number> {
  const s = new Set<number>();
  for (let i = 2; i < t.segments.length; i += 3) s.add(t.segments[i]);
  return s;
}

/** Asserts the trace is complete and readable: run facts, a main thread that ended, no read problems. */
function assertComplete(r: CliResult): TraceModel {
  const m = r.model;
  assert.ok(m, `trace readable (stderr: ${r.stderr})`);
  assert.deepEqual(m.problems, [], 'no malformed records');
  assert.ok(m.run, 'run record');
  const main = [...m.threads.values()].find((t) => t.kind === 'main');
  assert.ok(main, 'main thread');
  assert.equal(main.name, 'main');
  assert.equal(typeof main.end, 'number', 'main thread end record');
  assert.ok(m.end, 'run end record');
  assert.equal(m.errors.filter((e) => e.kind === 'runner').length, 0, `no runner errors: ${JSON.stringify(m.errors)}`);
  return m;
}

/** Stdout and exit code of the fixture under plain Node, for the pass-through checks. */
function plainRun(nodePath: string, args: string[]): { code: number | null; stdout: string } {
  const r = spawnSync(nodePath, args, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout };
}

/** Runs a fixture through the CLI on `nodePath`: same exit code and stdout as plain Node, a complete trace. */
async function runLikePlain(nodePath: string, file: string, env?: Record<string, string>): Promise<TraceModel> {
  const r = await runCli(['--node', nodePath, file], { env });
  const plain = plainRun(nodePath, [file]);
  assert.equal(r.code, plain.code);
  assert.equal(r.stdout, plain.stdout);
  return assertComplete(r);
}

/** Runs the CLI with `args`: exit code 0, stdout equal to (or matching) `stdout`, a complete trace. */
async function runOk(nodeArgs: string[], args: string[], stdout: string | RegExp): Promise<TraceModel> {
  const r = await runCli([...nodeArgs, ...args]);
  assert.equal(r.code, 0, r.stderr);
  if (typeof stdout === 'string') assert.equal(r.stdout, stdout);
  else assert.match(r.stdout, stdout);
  return assertComplete(r);
}

/** The facts of loopExit.js: every call after a loop is told apart from the loop's rounds. */
function assertLoopExits(m: TraceModel, file: string): void {
  const lineOf = (marker: string) => positionOf(file, marker, '').line;
  const linesOf = (tasks: Task[]) => {
    const count = new Map<number, number>();
    for (const t of tasks) count.set(t.stack[0]?.line ?? 0, (count.get(t.stack[0]?.line ?? 0) ?? 0) + 1);
    return Object.fromEntries([...count].sort((a, b) => a[0] - b[0]));
  };
  // 100 + 1100 rounds at each loop, and the calls of `step` after the second loop at their own line.
  // Before: calls after loops were read as rounds (4806 step tasks instead of 4802, 2 finish of 4, no fill).
  assert.deepEqual(linesOf(tasksNamed(m, 'step')), { [lineOf('// STEP-LOOP')]: 1200, [lineOf('// STEP-AGAIN')]: 1200, [lineOf('// STEP-LAST')]: 2, [lineOf('// STEP-PLAIN')]: 1200, [lineOf('// STEP-FOR-AWAIT')]: 1200 });
  assert.deepEqual(linesOf(tasksNamed(m, 'finish')), { [lineOf('// FINISH')]: 2, [lineOf('// FINISH-FOR-AWAIT')]: 2 });
  assert.deepEqual(linesOf(tasksNamed(m, 'fill')), { [lineOf('// FILL')]: 2 });
  // A resource made first in the run that leaves a loop (no promise before it to check the run by).
  const immediates = new Map<number, number>();
  for (const o of opsOfType(m, 'Immediate')) if (o.stack[0]?.file === file) immediates.set(o.stack[0].line, (immediates.get(o.stack[0].line) ?? 0) + 1);
  assert.equal(immediates.get(lineOf('// EXIT-IMMEDIATE')), 2, 'the Immediates after the loops');
  assert.equal(immediates.get(lineOf('// LOOP-IMMEDIATE')), 1200, "the loops' Immediates");
  const fileReqs = opsOfType(m, 'FSREQPROMISE').filter((o) => o.stack[0]?.file === file);
  const statLine = lineOf('// STAT');
  assert.ok(fileReqs.some((o) => o.stack[0].line === statLine), `the stat's request points at its line (${[...new Set(fileReqs.map((o) => o.stack[0].line))]})`);
  assert.ok(fileReqs.every((o) => o.stack[0].line === statLine || o.stack[0].line === lineOf('// READ')), 'the reads point at theirs');
}

for (const node of nodeVersions) {
  const nodeArgs = ['--node', node.path];

  describe(`recorder on ${node.name}`, () => {
    test('fetch to localhost: a getaddrinfo whose source is the fetch call', async () => {
      const file = runnerFixture('fetchHost.mjs');
      const m = await runOk(nodeArgs, [file, 'localhost'], /status 200 body ok/);
      const lookups = opsOfType(m, 'GETADDRINFOREQWRAP');
      assert.ok(lookups.length >= 1, 'a GETADDRINFOREQWRAP');
      const fetchAt = positionOf(file, '// FETCH', 'fetch(');
      for (const op of lookups) assertAt(op.stack[0], file, fetchAt, 'getaddrinfo source');
      assert.ok(lookups.some((op) => op.callbacks.length >= 2), 'its callback ran');
      // The module body (with top-level await) is top level, not a task.
      assert.equal(m.tasks.size, 0, JSON.stringify([...m.tasks.values()].map((t) => t.name)));
    });

    test('fetch to 127.0.0.1: no getaddrinfo at all', async () => {
      const r = await runCli([...nodeArgs, runnerFixture('fetchHost.mjs'), '127.0.0.1']);
      assert.equal(r.code, 0, r.stderr);
      const m = assertComplete(r);
      assert.equal(opsOfType(m, 'GETADDRINFOREQWRAP').length, 0);
      assert.ok(opsOfType(m, 'TCPCONNECTWRAP').length >= 1, 'it still connected');
    });

    test('three async calls under Promise.all: three tasks with call sites, running and waiting, under main', async () => {
      const file = runnerFixture('promiseAll.js');
      const m = await runLikePlain(node.path, file);
      const [main] = tasksNamed(m, 'main');
      assert.ok(main, 'a task for main()');
      const things = tasksNamed(m, 'fetchThing');
      assert.equal(things.length, 3);
      const line = positionOf(file, '// CALL-SITE', 'fetchThing(1)').line;
      const text = readFileSync(file, 'utf8').split('\n')[line - 1];
      const columns = [1, 2, 3].map((i) => text.indexOf(`fetchThing(${i})`) + 1);
      assert.deepEqual(
        things.map((t) => [t.stack[0]?.file, t.stack[0]?.line, t.stack[0]?.column]).sort((a, b) => Number(a[2]) - Number(b[2])),
        columns.map((c) => [file, line, c]),
      );
      for (const t of things) {
        assert.equal(t.parentKey, main.key, 'nested under main');
        assert.deepEqual(segmentStates(t), new Set([SegmentState.Running, SegmentState.Waiting]));
        assert.equal(typeof t.end, 'number', 'ended');
        // Three awaits: the two sleeps are waiting segments; the await of a resolved promise may resume
        // within a few µs, a wait the trace leaves out.
        assert.ok(t.segments.filter((_, i) => i % 3 === 2 && t.segments[i] === SegmentState.Waiting).length >= 2);
      }
      const timers = opsOfType(m, 'Timeout').filter((o) => o.stack[0]?.file === file);
      assert.ok(timers.length >= 3, 'the sleeps are Timeouts with a source in the fixture');
    });

    for (const build of ['tsc', 'bundle']) {
      test(`JavaScript built from TypeScript with a source map (${build === 'tsc' ? 'tsc, a .map file beside it' : 'one bundle, the map inline'}): tasks and sources in the .ts files`, async () => {
        const dir = runnerFixture('sourceMapped');
        const app = join(dir, 'src', 'app.ts');
        const helper = join(dir, 'src', 'helper.ts');
        const m = await runOk(nodeArgs, [join(dir, build, 'app.js')], 'things 2\n');
        const [main] = tasksNamed(m, 'main');
        assert.ok(main, 'a task for main()');
        assertAt(main.stack[0], app, positionOf(app, '// MAIN', 'main('), 'main() call');
        const things = tasksNamed(m, 'fetchThing');
        assert.equal(things.length, 2);
        const line = positionOf(app, '// CALLS', 'fetchThing(1)').line;
        const text = readFileSync(app, 'utf8').split('\n')[line - 1];
        assert.deepEqual(
          things.map((t) => [t.stack[0]?.file, t.stack[0]?.line, t.stack[0]?.column]).sort((a, b) => Number(a[2]) - Number(b[2])),
          [1, 2].map((i) => [app, line, text.indexOf(`fetchThing(${i})`) + 1]),
        );
        for (const t of things) assert.equal(t.parentKey, main.key);
        // The timers are made in helper.ts, called from fetchThing's await line.
        const timers = opsOfType(m, 'Timeout').filter((o) => o.stack[0]?.file === helper);
        assert.equal(timers.length, 2, JSON.stringify(opsOfType(m, 'Timeout').map((o) => o.stack[0])));
        for (const o of timers) {
          assertAt(o.stack[0], helper, positionOf(helper, '// TIMER', 'setTimeout'), 'the timer');
          assert.deepEqual([o.stack[2]?.file, o.stack[2]?.line, o.stack[2]?.column], [app, positionOf(app, '// PAUSE', 'pause').line, positionOf(app, '// PAUSE', 'pause').column], 'the pause() call under it');
        }
      });
    }

    test('the built-ins the runner wraps keep the name, length and source text of the originals', async () => {
      await runLikePlain(node.path, runnerFixture('builtinsLook.js'));
    });

    test('a TypeScript script finds only itself in require.cache: not the recorder, its compiler or its hooks', async () => {
      await runOk(nodeArgs, [runnerFixture('requireCache.cts')], 'requireCache.cts\n');
    });

    test('fs.promises and Promise subclasses: only the script\'s async functions are tasks; sources at the calls', async () => {
      const file = runnerFixture('fsPromises.mjs');
      const m = await runLikePlain(node.path, file);
      // Node's fs.promises makes promises of its own Promise subclass; the fixture makes one of its own.
      assert.deepEqual([...new Set([...m.tasks.values()].map((t) => t.name))].sort(), ['main', 'readOne']);
      const [main] = tasksNamed(m, 'main');
      const reads = tasksNamed(m, 'readOne');
      assert.equal(reads.length, 3);
      for (const t of reads) {
        assert.equal(t.parentKey, main.key, 'nested under main');
        assert.equal(typeof t.end, 'number', 'ended');
        assert.ok(segmentStates(t).has(SegmentState.Waiting), 'waits for its read and its timer');
      }
      const readLine = positionOf(file, '// READ', 'readFile(').line;
      // Node 26 reads a small file in one pool job, submitted by an FSREQCALLBACK.
      const reqType = nodeMajor(m) >= 26 ? 'FSREQCALLBACK' : 'FSREQPROMISE';
      const fileReqs = opsOfType(m, reqType).filter((o) => o.stack[0]?.file === file && o.stack[0].line === readLine);
      assert.ok(fileReqs.length >= 3, `the reads' ${reqType}s point at the readFile line (${fileReqs.length})`);
      const timers = opsOfType(m, 'Timeout').filter((o) => o.stack[0]?.file === file);
      assert.equal(timers.length, 3, 'the timers made inside the Deferred executors');
      for (const t of timers) assertAt(t.stack[0], file, positionOf(file, '// DEFERRED', 'setTimeout('), 'timer source');
      // File handles are made by Node's C++ with no trigger: they take their open's source, the
      // script's open() or (up to Node 24, where readFile opens a handle) its readFile().
      // (Node 20's ES module loader reads the script through one before it runs: that one has none.)
      const firstOwn = Math.min(...[...m.ops.values()].filter((o) => o.stack[0]?.file === file).map((o) => o.created));
      const handles = opsOfType(m, 'FILEHANDLE').filter((h) => h.created >= firstOwn);
      const openAt = positionOf(file, '// OPEN', 'open(');
      const lines = [readLine, positionOf(file, '// WRITE', 'writeFile(').line, openAt.line];
      // Node 26 reads and writes a small file without a handle.
      assert.equal(handles.length, nodeMajor(m) >= 26 ? 1 : 5, 'file handles');
      for (const h of handles) assert.ok(h.stack[0]?.file === file && lines.includes(h.stack[0].line), `handle source: ${h.stack[0]?.line ?? 'none'}`);
      assertAt(handles.find((h) => h.stack[0]?.line === openAt.line)?.stack[0], file, openAt, 'the open() handle');
    });

    for (const name of ['serverListen.js', 'serverListen.mjs']) {
      test(`a server started at the top level: its socket, connections and requests point at its listen (${name})`, async () => {
        const file = runnerFixture(name);
        const m = await runLikePlain(node.path, file);
        const listen = positionOf(file, '// LISTEN', 'listen(');
        const [serverSocket] = opsOfType(m, 'TCPSERVERWRAP');
        assert.ok(serverSocket, 'the listening socket is recorded');
        assertAt(serverSocket.stack[0], file, listen, 'listening socket');
        // The accepted connection is caused by the listening socket; the request by the connection.
        const accepted = opsOfType(m, 'TCPWRAP').filter((o) => o.triggerKey === serverSocket.key);
        assert.equal(accepted.length, 1, 'one accepted connection');
        assertAt(accepted[0].stack[0], file, listen, 'accepted connection');
        const requests = opsOfType(m, 'HTTPINCOMINGMESSAGE');
        assert.equal(requests.length, 1, 'one request');
        assertAt(requests[0].stack[0], file, listen, 'request');
      });
    }

    test('streams opened by the script point at the line that opened them: not a timer made before, nor the call of their function', async () => {
      const file = runnerFixture('streamLines.mjs');
      const m = await runLikePlain(node.path, file);
      const top = positionOf(file, '// TOP', 'pipeline(').line;
      const inFunction = positionOf(file, '// IN-FUNCTION', 'pipeline(').line;
      const timer = positionOf(file, '// TIMER', 'setInterval(').line;
      const call = positionOf(file, '// CALL', 'copy(').line;
      const lineOf = (o: AsyncOp) => (o.stack[0]?.file === file ? o.stack[0].line : 0);
      // Each pipeline opens, reads, writes and closes two files: all its requests and its gzip stream
      // point at its line.
      for (const type of ['FSREQCALLBACK', 'ZLIB']) {
        const ops = opsOfType(m, type);
        assert.deepEqual([...new Set(ops.map(lineOf))].sort((a, b) => a - b), [top, inFunction], `${type} lines`);
        // How many writes a stream makes depends on timing (what is buffered when it writes): at least
        // the reads and writes of one chunk, and the opens and closes, for files; one gzip stream.
        const least = type === 'ZLIB' ? 1 : 6;
        for (const line of [top, inFunction]) assert.ok(ops.filter((o) => lineOf(o) === line).length >= least, `${type}: ${least} or more at line ${line}`);
      }
      const ticks = opsOfType(m, 'TickObject');
      assert.ok(ticks.filter((o) => lineOf(o) === top).length >= 5 && ticks.filter((o) => lineOf(o) === inFunction).length >= 5, 'the streams\' ticks');
      assert.deepEqual(
        [...m.ops.values()].filter((o) => (lineOf(o) === timer && o.type !== 'Timeout') || lineOf(o) === call).map((o) => `${o.type} at ${lineOf(o)}`),
        [],
        'nothing but the timer at its line, nothing at the call',
      );
    });

    test('fs requests made by Node\'s own async functions after their awaits point at the script\'s call', async () => {
      const file = runnerFixture('internalChain.mjs');
      const m = await runLikePlain(node.path, file);
      // Node's ESM loader reads the script before it runs (on Node 20 through fs.promises): those
      // requests have no source. The ones counted here are made once the script runs.
      const all = opsOfType(m, 'FSREQPROMISE');
      const firstOwn = Math.min(...all.filter((o) => o.stack[0]?.file === file).map((o) => o.created));
      const reqs = all.filter((o) => o.created >= firstOwn);
      const cpLine = positionOf(file, '// CP', 'cp(').line;
      const atCp = reqs.filter((o) => o.stack[0]?.file === file && o.stack[0].line === cpLine);
      const none = reqs.filter((o) => o.stack[0] === undefined);
      // No frame of the script is on the stack for most of cp's requests (stat, mkdir, copyFile… after
      // cp's own awaits): they take the source of the first request cp made while the script called
      // it. Those made in a job of Node's async generator over a folder's entries still have none
      // (2 of 21 on Node 22 and 24; before: 19 of 21 had none).
      assert.equal(atCp.length + none.length, reqs.length, 'no other source');
      assert.ok(atCp.length >= 4, `cp's requests at its line: ${atCp.length} of ${reqs.length}`);
      assert.ok(none.length <= reqs.length / 5, `requests without a source: ${none.length} of ${reqs.length}`);
    });

    test('requests of Node\'s own async functions awaited later, or after `await` on the same line, point at the calls', async () => {
      const file = runnerFixture('internalAwaited.mjs');
      const m = await runOk(nodeArgs, [file], '300 100\n');
      const calls = ['// READ-A', '// READ-B', '// SAME-LINE'].map((marker) => positionOf(file, marker, 'readFile('));
      // Up to Node 24 readFile opens, stats and reads the file with a request each (all but the open
      // after one of its awaits); Node 26 reads it with one FSREQCALLBACK. Its close (Node 20 to 24) is
      // made in a job of a `.then` after readFile returned, where nothing tells whose it is: not counted.
      const own = [...m.ops.values()].filter((o) => o.stack[0]?.file === file && ['FSREQPROMISE', 'FILEHANDLE', 'FSREQCALLBACK'].includes(o.type));
      for (const [i, at] of calls.entries()) {
        const made = own.filter((o) => o.stack[0].line === at.line);
        assert.ok(made.length >= 1, `call ${i + 1}: ${made.length} requests`);
        for (const o of made) assertAt(o.stack[0], file, at, `${o.type} of call ${i + 1}`);
      }
      const awaitLine = positionOf(file, '// AWAIT-BOTH', 'await').line;
      assert.deepEqual(own.filter((o) => !calls.some((c) => c.line === o.stack[0].line)).map((o) => `${o.type} ${o.stack[0].line}:${o.stack[0].column}`), [], `none elsewhere (the await is on line ${awaitLine})`);
    });

    test('the run after an await of a plain promise is told apart from the first run: no task for a `new Promise`', async () => {
      const file = runnerFixture('plainAwaits.js');
      const m = await runLikePlain(node.path, file);
      const steps = tasksNamed(m, 'step');
      const twoPlains = tasksNamed(m, 'twoPlain');
      const works = tasksNamed(m, 'work');
      assert.equal(steps.length, 6);
      assert.equal(twoPlains.length, 6);
      // Each step's first run calls work(); its run after `await plain()` makes a plain promise at the
      // same point, which must not become a seventh to twelfth `work` task. Each twoPlain's third run
      // calls work() where its second run made a plain promise: those six calls are tasks too.
      assert.equal(works.length, 12, `work tasks: ${works.length}`);
      const byParent = (parents: Task[], marker: string) => {
        const keys = new Set(parents.map((t) => t.key));
        const mine = works.filter((w) => keys.has(w.parentKey as string));
        assert.equal(mine.length, 6, `work tasks under ${parents[0].name}`);
        for (const w of mine) assertAt(w.stack[0], file, positionOf(file, marker, 'work(i)'), 'work call site');
      };
      byParent(steps, '// WORK');
      byParent(twoPlains, '// WORK-AFTER-TWO');
    });

    test('a place whose promise changes kind after its first calls is re-checked soon: at most one call is misread', async () => {
      const file = runnerFixture('branchChange.js');
      const m = await runLikePlain(node.path, file);
      assert.equal(tasksNamed(m, 'get').length, 16);
      // Answers cached from the first calls (a plain promise) are re-checked at the 4th, 8th, 16th…
      // use: the change at the 9th call is found at the next re-check. Only 256 uses later before.
      const loads = tasksNamed(m, 'load');
      assert.ok(loads.length >= 7 && loads.length <= 8, `load tasks: ${loads.length} of 8`);
      for (const t of loads) assertAt(t.stack[0], file, positionOf(file, '// BRANCH', 'load(i)'), 'load call site');
    });

    test('the run that leaves a loop (of 100 or 1100 rounds) is not read as one more round', async () => {
      const file = runnerFixture('loopExit.js');
      assertLoopExits(await runLikePlain(node.path, file), file);
    });

    test('a site table that fills up and is emptied many times a run draws the same', async () => {
      // 16 sites instead of 50,000: the table and the caches keyed by its ids are emptied many times.
      const file = runnerFixture('loopExit.js');
      assertLoopExits(await runLikePlain(node.path, file, { [MAX_SITES_ENV]: '16' }), file);
    });

    test('a loop whose length differs from call to call: its exits are told from its rounds', async () => {
      const file = runnerFixture('loopLengths.js');
      const m = await runLikePlain(node.path, file);
      assert.equal(tasksNamed(m, 'handle').length, 800);
      const items = tasksNamed(m, 'processItem');
      const dones = tasksNamed(m, 'done');
      // Every call is a task: 2 × 2791 processItem calls and 2 × 400 done calls.
      assert.equal(items.length + dones.length, 2 * (2791 + 400));
      // After the same round, one call leaves the loop and another goes on: from then on every run of
      // handle checks its first promise. Before: 294 of the 800 done calls were drawn as processItem.
      assert.equal(dones.length, 800);
      for (const t of dones) assertAt(t.stack[0], file, positionOf(file, '// DONE', 'done('), 'done call site');
      for (const t of items) assert.equal(t.stack[0]?.line, positionOf(file, '// PROCESS', 'processItem(').line, 'processItem call site');
    });

    test('a run that makes more promises than a numeric cache key counts: every call is still its own task', async () => {
      const file = runnerFixture('fanOut.js');
      const m = await runLikePlain(node.path, file);
      assert.equal(tasksNamed(m, 'processBatch').length, 10);
      const saves = tasksNamed(m, 'save');
      assert.equal(saves.length, 12000);
      const at = positionOf(file, '// SAVE', 'save(row)');
      assert.ok(saves.every((t) => t.stack[0]?.line === at.line && t.stack[0].column === at.column), 'every save() at its call');
      assert.equal(m.tasks.size, 1 + 10 + 12000, 'main, the batches and the saves, nothing else');
    });

    test('a task that rejects ends as failed, one that fulfils does not (where V8 can tell: Node 20 and 22)', async () => {
      const file = runnerFixture('rejects.js');
      const r = await runCli([...nodeArgs, file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '1\n');
      const m = assertComplete(r);
      const idOf = (name: string) => tasksNamed(m, name)[0]?.key.split(':').pop();
      // The raw end records: failed = 1, 0, or -1 where the Node cannot tell.
      const endFlag = (name: string) => {
        const line = r.traceText.split('\n').find((l) => l.startsWith(`["E",${idOf(name)},`));
        assert.ok(line, `end record of ${name}`);
        return JSON.parse(line)[3] as number;
      };
      const major = Number(spawnSync(node.path, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim());
      const expected = major <= 22 ? { fails: 1, failsAtOnce: 1, works: 0, main: 0 } : { fails: -1, failsAtOnce: -1, works: -1, main: -1 };
      assert.deepEqual({ fails: endFlag('fails'), failsAtOnce: endFlag('failsAtOnce'), works: endFlag('works'), main: endFlag('main') }, expected);
      assert.equal(tasksNamed(m, 'fails')[0].failed, major <= 22 ? true : undefined, 'the model says the task failed (or that it cannot tell)');
      assert.equal(tasksNamed(m, 'works')[0].failed, major <= 22 ? false : undefined);
    });

    test('timers cleared before they fire end when cleared, not at the end of the run', async () => {
      const file = runnerFixture('clearedTimers.js');
      const m = await runOk(nodeArgs, [file], 'cleared after some ticks\n');
      const at = (marker: string, callee: string) => positionOf(file, marker, callee);
      const opAt = (type: string, pos: { line: number }) => opsOfType(m, type).find((o) => o.stack[0]?.file === file && o.stack[0]?.line === pos.line);
      const long = opAt('Timeout', at('// LONG-TIMEOUT', 'setTimeout('));
      const interval = opAt('Timeout', at('// INTERVAL', 'setInterval('));
      const immediate = opAt('Immediate', at('// IMMEDIATE', 'setImmediate('));
      const closed = opAt('Timeout', at('// CLOSED', 'setTimeout('));
      const disposed = opAt('Timeout', at('// DISPOSED', 'setTimeout('));
      const disposedImmediate = opAt('Immediate', at('// DISPOSED-IMMEDIATE', 'setImmediate('));
      const cleared = [
        ['timeout', long],
        ['interval', interval],
        ['immediate', immediate],
        ['timeout.close()', closed],
        ['timeout[Symbol.dispose]()', disposed],
        ['immediate[Symbol.dispose]()', disposedImmediate],
      ] as const;
      for (const [name, op] of cleared) {
        assert.ok(op, `${name} recorded at its line`);
        assert.equal(typeof op.destroyed, 'number', `${name} ended`);
        // Cleared within about 20 ms of its creation; the run itself lasts longer (a 30 ms timer after it).
        assert.ok(op.destroyed! - op.created < 1_000_000 && op.destroyed! < m.endTs!, `${name} ended when cleared`);
      }
      for (const [name, op] of cleared) if (name !== 'interval') assert.equal(op!.callbacks.length, 0, `the ${name} timer never ran`);
      assert.equal(long!.callbacks.length, 0, 'the cleared timeout never ran');
      assert.equal(immediate!.callbacks.length, 0, 'the cleared immediate never ran');
      assert.ok(interval!.callbacks.length >= 2, 'the interval ticked before it was cleared');
      assert.ok(interval!.destroyed! >= interval!.callbacks[interval!.callbacks.length - 1], 'the interval ended after its last tick');
    });

    test('task lanes survive awaits of plain values, .then chains, returned promises and calls that never wait', async () => {
      const file = runnerFixture('taskShapes.js');
      const m = await runOk(nodeArgs, [file], '42 inner+middle then-ed passed 5\n');
      const byName = new Map([...m.tasks.values()].map((t) => [t.name, t]));
      assert.deepEqual([...byName.keys()].sort(), ['cached', 'chained', 'inner', 'middle', 'outer', 'passThrough', 'plainValue']);
      assert.equal(m.tasks.size, 7, 'one task per call');
      const parentOf = (name: string) => [...m.tasks.values()].find((t) => t.key === byName.get(name)?.parentKey)?.name;
      assert.equal(parentOf('outer'), undefined);
      for (const n of ['cached', 'middle', 'chained', 'passThrough', 'plainValue']) assert.equal(parentOf(n), 'outer', `${n} under outer`);
      assert.equal(parentOf('inner'), 'middle');
      for (const t of m.tasks.values()) assert.equal(typeof t.end, 'number', `${t.name} ended`);
      assert.deepEqual(segmentStates(byName.get('cached')!), new Set([SegmentState.Running]), 'a call that never waits only runs');
      for (const n of ['middle', 'inner', 'plainValue', 'outer']) assert.ok(segmentStates(byName.get(n)!).has(SegmentState.Waiting), `${n} waited`);
      // Each `.then` of the user's code is a PROMISE operation at that call, whose callback ran once.
      const thens = opsOfType(m, 'PROMISE').sort((a, b) => (a.stack[0]?.line ?? 0) - (b.stack[0]?.line ?? 0));
      const thenCalls = ["sleep(2).then", "sleep(3).then", "outer().then"].map((marker) => positionOf(file, marker, 'then('));
      assert.equal(thens.length, thenCalls.length, `one PROMISE op per .then: ${JSON.stringify(thens.map((o) => o.stack[0]))}`);
      thens.forEach((o, i) => {
        assertAt(o.stack[0], file, thenCalls[i], `.then on line ${thenCalls[i].line}`);
        assert.equal(o.callbacks.length, 2, 'its callback ran once');
        assert.ok(o.callbacks[1] >= o.callbacks[0] && o.callbacks[0] >= o.created, 'created, then run');
        assert.equal(typeof o.destroyed, 'number', 'ended with its run');
      });
    });

    test('only `.then` calls of the script are PROMISE operations: not those of Node\'s code, nor the awaits of async generators', async () => {
      const file = runnerFixture('notThens.js');
      const m = await runOk(nodeArgs, [file], '6 true 3\ndone\n');
      const thens = opsOfType(m, 'PROMISE').sort((a, b) => (a.stack[0]?.line ?? 0) - (b.stack[0]?.line ?? 0));
      const calls = ['p.then', 'countBytes().then', 'main().then'].map((marker) => positionOf(file, marker, 'then('));
      assert.deepEqual(
        thens.map((o) => `${o.stack[0]?.line}`),
        calls.map((c) => `${c.line}`),
        'one PROMISE operation per .then of the script, and no other',
      );
      thens.forEach((o, i) => assertAt(o.stack[0], file, calls[i], `.then on line ${calls[i].line}`));
    });

    test('a library\'s async function calling the script\'s after its own awaits: every call nested under the caller of the library', async () => {
      const file = runnerFixture(join('libraryCalls', 'main.js'));
      const m = await runOk(nodeArgs, [file], 'succeeded at attempt 2\n');
      const [main] = tasksNamed(m, 'main');
      assert.ok(main, 'a task for main()');
      const attempts = tasksNamed(m, 'attempt');
      assert.equal(attempts.length, 3, 'one task per call');
      const retryLine = positionOf(file, '// RETRY', 'retry(').line;
      for (const t of attempts) {
        assert.equal(t.parentKey, main.key, 'nested under main');
        // Its first user frame: main's call of retry, or (after retry's awaits) main's await of it.
        assert.equal(t.stack[0]?.file, file);
        assert.equal(t.stack[0]?.line, retryLine, 'call site on the line calling retry');
      }
    });

    test('ticks and microtasks made in a timer\'s or an fs request\'s callback, and an http.get there, point at their lines', async () => {
      const file = runnerFixture('callbackTicks.js');
      const m = await runOk(nodeArgs, [file], 'got 200\n');
      const lines = (type: string) => opsOfType(m, type).filter((o) => o.stack[0]?.file === file).map((o) => o.stack[0].line);
      for (const [type, marker, callee] of [
        ['TickObject', '// TIMER-TICK', 'nextTick('],
        ['Microtask', '// TIMER-MICROTASK', 'queueMicrotask('],
        ['TickObject', '// STAT-TICK', 'nextTick('],
      ]) {
        const at = positionOf(file, marker, callee);
        const op = opsOfType(m, type).find((o) => o.stack[0]?.file === file && o.stack[0].line === at.line);
        assertAt(op?.stack[0], file, at, `${type} at ${marker}: ${lines(type).join(',')}`);
      }
      const get = positionOf(file, '// HTTP-GET', 'get(');
      const [request] = opsOfType(m, 'HTTPCLIENTREQUEST');
      assertAt(request?.stack[0], file, get, 'the request of http.get');
    });

    test('past the overhead limit of stack captures, promises are no longer followed: open tasks are cut, resources keep their sources', async () => {
      const file = runnerFixture('overheadLimit.js');
      const r = await runCli([...nodeArgs, file], { env: { [CAPTURE_FLOOR_ENV]: '20' } });
      const plain = plainRun(node.path, [file]);
      assert.equal(r.code, plain.code);
      assert.equal(r.stdout, plain.stdout);
      const m = assertComplete(r);
      const main = [...m.threads.values()].find((t) => t.kind === 'main')!;
      const stop = main.followStop;
      assert.ok(stop, 'an O record on the main thread');
      assert.ok(stop.captures > 0 && stop.captureMs >= 20, `captures ${JSON.stringify(stop)}`);
      assert.match(r.stderr, /5 tasks \(followed until \d+\.\d s on main: stack captures took \d+ ms; --no-overhead-limit follows all\)/);
      // Before the loop: followed to their end.
      const earlies = tasksNamed(m, 'early');
      assert.equal(earlies.length, 3);
      for (const t of earlies) assert.ok(t.end !== undefined && t.cut === undefined && t.end < stop.ts, 'early ended before the stop');
      // Waiting at the stop: cut there, its end unknown.
      const [w] = tasksNamed(m, 'waiter');
      assert.equal(w?.cut, stop.ts);
      assert.equal(w.end, undefined);
      assert.deepEqual(w.segments.slice(-3), [w.segments.at(-3), stop.ts, SegmentState.Waiting]);
      // After the stop: no task, no PROMISE operation, no record of a task.
      assert.deepEqual(tasksNamed(m, 'late'), []);
      for (const t of m.tasks.values()) assert.ok(t.start < stop.ts && Math.max(...t.segments.filter((_, i) => i % 3 < 2)) <= stop.ts, `${t.name} within the followed time`);
      const promiseOps = opsOfType(m, 'PROMISE');
      assert.ok(promiseOps.length > 0 && promiseOps.every((o) => o.created < stop.ts), 'PROMISE operations only before the stop');
      // Resources are still recorded after it, with their sources.
      const after = [...m.ops.values()].filter((o) => o.created > stop.ts);
      const at = (type: string, marker: string, callee: string) => {
        const pos = positionOf(file, marker, callee);
        assert.ok(after.some((o) => o.type === type && o.stack[0]?.line === pos.line && o.stack[0]?.column === pos.column), `${type} at line ${pos.line} after the stop: ${after.map((o) => `${o.type}@${o.stack[0]?.line}`).join(' ')}`);
      };
      at('Timeout', '// AFTER-TIMER', 'setTimeout(');
      at('FSREQCALLBACK', '// AFTER-READ', 'readFile(');
    });

    test('--no-overhead-limit follows every promise however many captures they take', async () => {
      const file = runnerFixture('overheadLimit.js');
      const r = await runCli([...nodeArgs, '--no-overhead-limit', file, '3000'], { env: { [CAPTURE_FLOOR_ENV]: '0' } });
      assert.equal(r.code, 0, r.stderr);
      const m = assertComplete(r);
      assert.ok([...m.threads.values()].every((t) => t.followStop === undefined), 'no O record');
      assert.equal(tasksNamed(m, 'late').length, 1);
      assert.equal(tasksNamed(m, 'waiter')[0]?.cut, undefined);
      assert.doesNotMatch(r.stderr, /followed until/);
    });

    test('calls awaiting promises that never settle are not kept alive: 500 MB of them run in a 200 MB heap, as without the runner', async () => {
      const file = runnerFixture('neverSettles.js');
      const r = await runCli([...nodeArgs, '--node-arg=--max-old-space-size=200', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'started 2000\n');
      const m = assertComplete(r);
      assert.equal(tasksNamed(m, 'handler').length, 2000, 'every call is still a task');
    });

    test('awaits of promises returned without awaiting (also by events.once) and of thenables: the awaiting task waits, then runs', async () => {
      const file = runnerFixture('returnedPromises.js');
      const m = await runOk(nodeArgs, [file], 'returned leaf event thenable\n');
      const byName = new Map([...m.tasks.values()].map((t) => [t.name, t]));
      const parents: Record<string, string | undefined> = {
        main: undefined,
        awaitsReturned: 'main',
        returnsSleep: 'awaitsReturned',
        awaitsChain: 'main',
        passesOn: 'awaitsChain',
        leaf: 'passesOn',
        awaitsEvent: 'main',
        awaitsAwaiter: 'main',
        awaitsThenable: 'awaitsAwaiter',
      };
      assert.deepEqual([...byName.keys()].sort(), Object.keys(parents).sort());
      assert.equal(m.tasks.size, Object.keys(parents).length, 'one task per call');
      for (const [name, parent] of Object.entries(parents)) {
        const t = byName.get(name)!;
        assert.equal([...m.tasks.values()].find((x) => x.key === t.parentKey)?.name, parent, `${name} under ${parent}`);
        assert.equal(typeof t.end, 'number', `${name} ended`);
      }
      // Each await of these tasks is a wait followed by a run: running, waiting, running… running.
      const waits: Record<string, number> = { main: 4, awaitsReturned: 1, awaitsChain: 2, awaitsEvent: 1, awaitsAwaiter: 1, awaitsThenable: 1 };
      for (const [name, n] of Object.entries(waits)) {
        const states = byName.get(name)!.segments.filter((_, i) => i % 3 === 2);
        const expected = Array.from({ length: 2 * n + 1 }, (_, i) => (i % 2 === 0 ? SegmentState.Running : SegmentState.Waiting));
        assert.deepEqual(states, expected, `${name}: ${n} waits, each followed by a run`);
      }
      // The script calls no `.then`: an await is never taken for one.
      assert.deepEqual(opsOfType(m, 'PROMISE').map((o) => o.stack[0]), []);
    });

    test('async generator objects are task lanes: running, waiting at awaits, parked at yields, ended by return, throw or break', async () => {
      const file = runnerFixture('asyncGenerators.js');
      const m = await runOk(nodeArgs, [file], '3 abtrue true generator failed xyz a2,a1 b2,b1 0 QR stu\n');
      const letters = ['R', 'W', 'Y'];
      const statesOf = (t: Task) => t.segments.filter((_, i) => i % 3 === 2).map((st) => letters[st] ?? String(st)).join('');
      const parentName = (t: Task) => [...m.tasks.values()].find((x) => x.key === t.parentKey)?.name;
      // R running, W waiting at an await, Y parked at a yield until the consumer asks again.
      const expected: Record<string, { parent: string; states: string; at: [string, string] }> = {
        // Three values, each after a timer; done when asked a fourth time.
        ticks: { parent: 'forAwait', states: 'RWRYRWRYRWRYR', at: ['// FOR-AWAIT', 'v of'] },
        // A value at once, one after a timer, then done.
        pair: { parent: 'manual', states: 'RYRWRYR', at: ['// FIRST-NEXT', 'next('] },
        // Left after two values: return() resumes it into its finally block, which waits for a timer.
        endless: { parent: 'early', states: 'RWRYRWRYRWR', at: ['// EARLY', 'v of'] },
        failing: { parent: 'catches', states: 'RYRWR', at: ['// FAILING', '_ of'] },
        // Parked while yield* hands over inner's values, then a value of its own.
        outer: { parent: 'delegates', states: 'RWRYRWRYRWRWRYR', at: ['// OUTER', 'v of'] },
        inner: { parent: 'outer', states: 'RWRYRWRYRWR', at: ['// DELEGATE', 'inner('] },
        // Returned before it made a promise: found at its return.
        none: { parent: 'empty', states: 'R', at: ['// NONE', '_ of'] },
      };
      for (const [name, e] of Object.entries(expected)) {
        const ts = tasksNamed(m, name);
        assert.equal(ts.length, 1, `one lane for ${name}`);
        const [t] = ts;
        assert.equal(parentName(t), e.parent, `${name} under ${e.parent}`);
        assert.equal(statesOf(t), e.states, `${name}: segments`);
        assert.equal(typeof t.end, 'number', `${name} ended`);
        const at = positionOf(file, e.at[0], e.at[1]);
        assert.equal(t.stack[0]?.file, file);
        assert.equal(t.stack[0]?.line, at.line, `${name}: call site on the line of its first request`);
      }
      // Its request rejected, where the recorder can tell.
      const [failing] = tasksNamed(m, 'failing');
      if (nodeMajor(m) < 24) assert.equal(failing.failed, true, 'failing rejected');
      for (const n of ['ticks', 'pair', 'endless', 'outer', 'inner']) if (nodeMajor(m) < 24) assert.equal(tasksNamed(m, n)[0].failed, false, `${n} fulfilled`);
      // Over Node's stream iterator (an async generator of Node's up to Node 24, an object with a
      // next() on Node 26): a park per value handed over, and an end, not a park, after the last.
      // Their waits for the stream are too short to be the same on every run.
      const overStreams: Record<string, { parent: string; parks: number; at: [string, string] }> = {
        upper: { parent: 'shout', parks: 2, at: ['// UPPER', 'c of'] },
        streams: { parent: 'relay', parks: 3, at: ['// RELAY', 'c of'] },
      };
      for (const [name, e] of Object.entries(overStreams)) {
        const [t] = tasksNamed(m, name);
        assert.ok(t, `a lane for ${name}`);
        assert.equal(parentName(t), e.parent);
        const states = statesOf(t);
        assert.equal(states.split('').filter((x) => x === 'Y').length, e.parks, `${name}: ${states}`);
        assert.equal(states.at(-1), 'R', `${name} ends running: ${states}`);
        assert.equal(typeof t.end, 'number', `${name} ended`);
        const [consumer] = tasksNamed(m, e.parent);
        assert.ok((t.end as number) <= (consumer.end as number), `${name} ended before ${e.parent}`);
        assert.equal(t.stack[0]?.line, positionOf(file, e.at[0], e.at[1]).line);
      }
      // Two objects of one function consumed at once: a lane each, under its own consumer.
      const drains = tasksNamed(m, 'drain');
      const countdowns = tasksNamed(m, 'countdown');
      assert.equal(drains.length, 2);
      assert.equal(countdowns.length, 2);
      assert.deepEqual(countdowns.map((t) => t.parentKey).sort(), drains.map((t) => t.key).sort(), 'one countdown under each drain');
      for (const t of countdowns) {
        assert.equal(statesOf(t), 'RWRYRWRYR', 'countdown: two values after a timer each, then done');
        assert.equal(typeof t.end, 'number');
        assert.equal(t.stack[0]?.line, positionOf(file, '// DRAIN', 'v of').line);
      }
      // They overlapped in time.
      const [c1, c2] = countdowns;
      assert.ok(c1.start < (c2.end as number) && c2.start < (c1.end as number), 'consumed at the same time');
      // The generators' own awaits are not taken for `.then` calls.
      assert.deepEqual(opsOfType(m, 'PROMISE').map((o) => o.stack[0]), []);
    });

    test('loops awaiting async functions that await fetch: every call nested under its loop, waits and resumes alternate', async () => {
      const file = runnerFixture('fetchLoop.mjs');
      const m = await runOk(nodeArgs, [file], 'okokok\nOKOKOK OKOKOK OKOKOK OKOKOK\n');
      const [loop] = tasksNamed(m, 'loop');
      assert.ok(loop, 'a task for loop()');
      const ones = tasksNamed(m, 'one');
      assert.equal(ones.length, 3, 'one task per call');
      const at = positionOf(file, '// CALL-ONE', 'one(');
      // Segments alternate running, waiting, running…: no wait without a resume in between (and the reverse).
      const assertAlternating = (t: Task) => {
        const states = t.segments.filter((_, i) => i % 3 === 2);
        states.forEach((st, i) => assert.equal(st, i % 2 === 0 ? SegmentState.Running : SegmentState.Waiting, `${t.name} segment ${i} of ${states.join(',')}`));
        return states.filter((st) => st === SegmentState.Waiting).length;
      };
      for (const t of ones) {
        assert.equal(t.parentKey, loop.key, 'nested under loop');
        assertAt(t.stack[0], file, at, 'call site of one()');
        assert.equal(typeof t.end, 'number', 'ended');
        assert.ok(assertAlternating(t) >= 1, 'waited for fetch');
        // One await in its body: it resumed once (then it waits for the promise it returned, or ends).
        assert.equal(t.segments.filter((_, i) => i % 3 === 2 && t.segments[i] === SegmentState.Running).length, 2, 'resumed once');
      }
      assert.equal(typeof loop.end, 'number', 'loop ended');
      assert.ok(assertAlternating(loop) >= 3, 'loop waited for each call');
      // Four loops at once: the first runs of their calls come before any resumed run.
      const loops = new Set(tasksNamed(m, 'bothLoop').map((t) => t.key));
      assert.equal(loops.size, 4);
      const boths = tasksNamed(m, 'both');
      assert.equal(boths.length, 12, 'one task per call');
      for (const t of boths) {
        assert.ok(loops.has(t.parentKey as string), 'nested under a bothLoop');
        assertAt(t.stack[0], file, positionOf(file, '// CALL-BOTH', 'both('), 'call site of both()');
        assert.equal(typeof t.end, 'number', 'ended');
        // Two awaits (the fetch, then the body): two waits, each followed by a resume.
        assert.equal(assertAlternating(t), 2, 'waited twice');
        assert.equal(t.segments.filter((_, i) => i % 3 === 2 && t.segments[i] === SegmentState.Running).length, 3, 'resumed twice');
      }
    });

    test("the script's own AsyncLocalStorage keeps its store; its tasks are still recorded", async () => {
      const m = await runOk(nodeArgs, [runnerFixture('asyncLocalStorage.js')], 'got store-1 store-1\n');
      assert.equal(tasksNamed(m, 'f').length, 1);
    });

    test('Workers: one thread per Worker with its file and parent, including execArgv: [] and eval', async () => {
      const file = runnerFixture('twoWorkers.js');
      const m = await runOk(nodeArgs, [file], /all workers done/);
      const workers = [...m.threads.values()].filter((t) => t.kind === 'worker');
      assert.equal(workers.length, 3);
      const child = runnerFixture('workerChild.js');
      const fromFile = workers.filter((w) => w.file === child);
      assert.equal(fromFile.length, 2);
      for (const w of fromFile) assert.equal(w.name, `worker #${w.threadId} workerChild.js`);
      const evalWorker = workers.find((w) => w.file === '[eval]');
      assert.ok(evalWorker, 'the eval Worker');
      const main = [...m.threads.values()].find((t) => t.kind === 'main');
      for (const w of workers) {
        assert.equal(w.parentKey, main?.key);
        assert.equal(typeof w.end, 'number', `${w.name} ended`);
        if (process.platform === 'linux') assert.ok(w.osTid > 0 && w.osTid !== main?.osTid, 'its own OS thread');
      }
      // Each file Worker ran a task and a timer of its own, with sources in the child script.
      const timeoutAt = positionOf(child, '// WORKER-TIMEOUT', 'setTimeout');
      for (const w of fromFile) {
        const timer = [...m.ops.values()].find((o) => o.thread === w.key && o.type === 'Timeout');
        assertAt(timer?.stack[0], child, timeoutAt, `${w.name} timer`);
        assert.equal([...m.tasks.values()].filter((t) => t.thread === w.key && t.name === 'work').length, 1);
      }
    });

    test("a Worker's top level that blocks its event loop points at the Worker's own file", async () => {
      const main = runnerFixture('workerTopLevel.js');
      const m = await runOk(nodeArgs, [main], 'eval worker done, file worker done\n');
      const workers = [...m.threads.values()].filter((t) => t.kind === 'worker');
      const fileWorker = workers.find((w) => w.file === runnerFixture('workerSpin.js'));
      const evalWorker = workers.find((w) => w.file === '[eval]');
      assert.ok(fileWorker && evalWorker, workers.map((w) => w.name).join(', '));
      for (const [w, file] of [[fileWorker, runnerFixture('workerSpin.js')], [evalWorker, '[worker eval]']] as const) {
        // On a loaded machine a later run of the Worker (its task) can be blocked too: only the top level's is asked for.
        const blocked = m.blocked.filter((b) => b.thread === w.key && b.start === Math.min(...m.blocked.filter((x) => x.thread === w.key).map((x) => x.start)));
        assert.equal(blocked.length, 1, `${w.name}: ${JSON.stringify(m.blocked.filter((b) => b.thread === w.key))}`);
        assert.ok(blocked[0].end - blocked[0].start >= 30_000, 'the 40 ms spin');
        assert.deepEqual(blocked[0].stack.map((f) => [f.file, f.line, f.column]), [[file, 1, 1]], w.name);
      }
    });

    /** The sources of topLevelAwait.mjs's (or .mts's) blocked stretches: its file before its first await, then each await's `sleep(` call. */
    const topLevelAwaitSources = (file: string) => {
      const at = (marker: string) => {
        const p = positionOf(file, marker, 'sleep(');
        return [file, p.line, p.column];
      };
      const loop = at('// LOOP-AWAIT');
      return [[file, 1, 1], at('// FIRST-AWAIT'), at('// SECOND-AWAIT'), loop, loop, loop, loop];
    };
    const importer = runnerFixture('topLevelAwaitImport.mjs');
    for (const [name, stdout, expected] of [
      ['topLevelAwait.mjs', 'done\n', () => topLevelAwaitSources(runnerFixture('topLevelAwait.mjs'))],
      ['topLevelAwait.mts', /^done/, () => topLevelAwaitSources(runnerFixture('topLevelAwait.mts'))],
      // The importer's body starts in a job of V8's once the imported one's has ended; it awaits a plain
      // value; the run that made 40 `.then`s before its await is not searched to its end: its await is
      // the last promise it made, with the module's file for the source.
      ['topLevelAwaitImport.mjs', 'done\nimporter done 780\n', () => [...topLevelAwaitSources(runnerFixture('topLevelAwait.mjs')), [importer, 1, 1], [importer, positionOf(importer, '// IMPORTER-AWAIT', 'await').line, 1], [importer, 1, 1]]],
    ] as const) {
      test(`an ES module blocking its event loop around top-level awaits (${name}): before the first, its file; after each, the await it resumed from`, async () => {
        const m = await runOk(nodeArgs, [runnerFixture(name)], stdout);
        const main = [...m.threads.values()].find((t) => t.kind === 'main');
        assert.ok(main);
        // Runs of the module bodies only. On a loaded machine others can be blocked as well: a timer's
        // callback (its source is the sleep call too), which starts where a callback of a resource
        // does; the thread's top-level run, Node starting its ES module loader before any body runs
        // (its source is the entry's first line too), which starts with the thread or where the
        // runner's start-up ended.
        const otherStarts = new Set([main.start, ...m.busy.filter((b) => b.runner !== undefined).map((b) => b.end), ...[...m.ops.values()].flatMap((o) => o.callbacks.filter((_, i) => i % 2 === 0))]);
        const runs = m.blocked.filter((b) => b.thread === main.key && !otherStarts.has(b.start)).sort((a, b) => a.start - b.start);
        assert.deepEqual(
          runs.map((b) => (b.stack[0] ? [b.stack[0].file, b.stack[0].line, b.stack[0].column] : 'no source')),
          expected(),
        );
      });
    }

    test("an eval Worker's stacks hold only its own code: Node's `[worker eval]-wrapper` frame is not a user frame", async () => {
      const m = await runOk(nodeArgs, [runnerFixture('workerTopLevel.js')], 'eval worker done, file worker done\n');
      const evalWorker = [...m.threads.values()].find((t) => t.kind === 'worker' && t.file === '[eval]');
      assert.ok(evalWorker);
      const [inner] = [...m.tasks.values()].filter((t) => t.thread === evalWorker.key && t.name === 'inner');
      assert.ok(inner, 'the eval Worker\'s task');
      assert.deepEqual(inner.stack.map((f) => f.file), ['[worker eval]'], 'its call site, in the eval code alone');
      const stacks = [...[...m.ops.values()].filter((o) => o.thread === evalWorker.key), ...[...m.tasks.values()].filter((t) => t.thread === evalWorker.key)].map((x) => x.stack);
      for (const st of stacks) for (const f of st) assert.equal(f.file, '[worker eval]', JSON.stringify(st));
    });

    test('a Worker terminated while busy: its thread and the work it did before are in the trace', async () => {
      const m = await runOk(nodeArgs, [runnerFixture('terminatedWorker.js')], 'terminated\n');
      const [worker] = [...m.threads.values()].filter((t) => t.kind === 'worker');
      assert.ok(worker, 'the Worker thread');
      assert.equal(worker.file, '[eval]');
      // It ran ≥ 300 ms before it was terminated: what it did reached the file.
      const timers = [...m.ops.values()].filter((o) => o.thread === worker.key && o.type === 'Timeout');
      assert.ok(timers.length >= 10, `timers of the Worker: ${timers.length}`);
    });

    for (const mode of ['direct', 'orphan']) {
      test(`a Worker still running when the process ends (${mode === 'direct' ? 'the main thread\'s own' : 'it outlived the Worker that started it'}): what it did since its last flush is in the trace`, async () => {
        const file = runnerFixture('runningWorkers.js');
        const m = await runOk(nodeArgs, [file, mode], `${mode}: exit while a Worker runs\n`);
        const workers = [...m.threads.values()].filter((t) => t.kind === 'worker');
        assert.equal(workers.length, mode === 'direct' ? 1 : 2);
        for (const w of workers) assert.equal(w.file, file, 'each Worker\'s thread record names its file');
        // The ticking Worker ran about 25 ms, less than one flush interval: without the main thread
        // writing its buffer at the end, none of its timers would be in the trace.
        const ticking = workers.find((w) => [...m.ops.values()].some((o) => o.thread === w.key && o.type === 'Timeout'));
        assert.ok(ticking, 'the ticking Worker has its timers');
        const at = positionOf(file, '// TICK', 'setTimeout');
        const timers = [...m.ops.values()].filter((o) => o.thread === ticking.key && o.type === 'Timeout' && o.stack[0]?.file === file && o.stack[0]?.line === at.line);
        assert.ok(timers.length >= 5, `timers of the ticking Worker: ${timers.length}`);
      });
    }

    test('a Worker terminated right after its first message: its file, task, request and pool job are in the trace', async () => {
      const m = await runOk(nodeArgs, [runnerFixture('terminatedYoungWorker.js')], 'hashed, terminated\n');
      const child = runnerFixture('workerPbkdf2.js');
      const [worker] = [...m.threads.values()].filter((t) => t.kind === 'worker');
      assert.ok(worker, 'the Worker thread');
      assert.equal(worker.file, child);
      assert.equal([...m.tasks.values()].filter((t) => t.thread === worker.key && t.name === 'work').length, 1, 'its task');
      const requests = [...m.ops.values()].filter((o) => o.thread === worker.key && o.type === 'PBKDF2REQUEST');
      assert.equal(requests.length, 1, 'its pbkdf2 request');
      assertAt(requests[0].stack[0], child, positionOf(child, '// WORKER-PBKDF2', 'pbkdf2('), 'the request');
      const jobs = [...m.poolJobs.values()].filter((j) => j.opKey === requests[0].key);
      assert.equal(jobs.length, 1, `the pool job of the request: ${JSON.stringify([...m.poolJobs.values()])}`);
    });

    test('a TypeScript ES module importing others: only its own message ports are recorded, none of the runner\'s loader', async () => {
      const main = runnerFixture('ts-ports/main.mts');
      const m = await runOk(nodeArgs, [main], '4 6\n');
      // On Node 20 Node talks to the loader registered by the runner through ports made per import.
      const ports = opsOfType(m, 'MESSAGEPORT');
      assert.equal(ports.length, 2, ports.map((o) => o.stack[0]?.line ?? 'no source').join(', '));
      for (const p of ports) assertAt(p.stack[0], main, positionOf(main, '// CHANNEL', 'new MessageChannel'), 'port source');
    });

    for (const variant of ['ts-cjs', 'ts-esm']) {
      test(`TypeScript (${variant}): enum, namespace, decorator, parameter properties, import of .ts; exact original positions`, async () => {
        const main = runnerFixture(`${variant}/main.ts`);
        const shapes = runnerFixture(`${variant}/shapes.ts`);
        const r = await runCli([...nodeArgs, main]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'label:square green {"kind":"square","size":2} 4 9 Box red\n');
        const m = assertComplete(r);
        const [describeTask] = tasksNamed(m, 'describe');
        assertAt(describeTask?.stack[0], main, positionOf(main, '// CALL-DESCRIBE', 'describe('), 'describe() call site');
        const [mainTask] = tasksNamed(m, 'main');
        assert.equal(describeTask.parentKey, mainTask?.key);
        const timer = opsOfType(m, 'Timeout').find((o) => o.stack[0]?.file === main);
        assertAt(timer?.stack[0], main, positionOf(main, '// TS-TIMEOUT', 'setTimeout'), 'setTimeout source');
        const read = opsOfType(m, 'FSREQCALLBACK').find((o) => o.stack[0]?.file === shapes);
        assertAt(read?.stack[0], shapes, positionOf(shapes, '// TS-READFILE', 'readFile('), 'readFile source (imported .ts)');
      });
    }

    test('TypeScript standard decorators (no tsconfig.json): they run as tsc compiles them; original positions', async () => {
      // Copied where no tsconfig.json is above it: TypeScript's defaults apply.
      const file = join(tempDir('cd-std-deco-'), 'standard.ts');
      copyFileSync(runnerFixture('tsDecorators/standard.ts'), file);
      const m = await runOk(nodeArgs, [file], 'calling greet\nhello you greet\n');
      assertRealPositions(m, file);
      const timer = opsOfType(m, 'Timeout').find((o) => o.stack[0]?.file === file);
      assertAt(timer?.stack[0], file, positionOf(file, '// STD-TIMEOUT', 'setTimeout'), 'setTimeout in the decorated method');
      const [greet] = tasksNamed(m, 'greet');
      assertAt(greet?.stack[0], file, positionOf(file, '// STD-WRAPPER', 'apply'), "the decorator's call of the method");
    });

    test('TypeScript legacy decorators with metadata where tsconfig.json (through extends) asks for them; original positions', async () => {
      const file = runnerFixture('tsDecorators/legacy/main.ts');
      const m = await runOk(nodeArgs, [file], 'calling find\nmemory:7 find#1=db find(Number,String)\n');
      assertRealPositions(m, file);
      const timer = opsOfType(m, 'Timeout').find((o) => o.stack[0]?.file === file);
      assertAt(timer?.stack[0], file, positionOf(file, '// LEGACY-TIMEOUT', 'setTimeout'), 'setTimeout in the decorated method');
      const [find] = tasksNamed(m, 'find');
      assertAt(find?.stack[0], file, positionOf(file, '// LEGACY-WRAPPER', 'apply'), "the decorator's call of the method");
    });

    test("CommonJS TypeScript and JavaScript naming .ts/.cts files by their JavaScript names ('./util.js', './count.cjs'): they run as tsc's output would", async () => {
      const util = runnerFixture('tsJsSpecifiers/util.ts');
      const m = await runOk(nodeArgs, [runnerFixture('tsJsSpecifiers/main.ts')], '4 2 6 12\n');
      const timer = opsOfType(m, 'Timeout').find((o) => o.stack[0]?.file === util);
      assertAt(timer?.stack[0], util, positionOf(util, '// UTIL-TIMEOUT', 'setTimeout'), 'setTimeout in util.ts');
    });

    for (const ext of ['.ts', '.mts']) {
      test(`TypeScript \`await using\` and \`using\` (${ext}): every recorded position is one of the file; disposals point at the declaration`, async () => {
        // The .mts variant is the same code compiled as an ES module (a copy beside no package.json).
        let file = runnerFixture('tsUsing.ts');
        if (ext === '.mts') {
          file = join(tempDir('cd-using-'), 'tsUsing.mts');
          copyFileSync(runnerFixture('tsUsing.ts'), file);
        }
        const m = await runOk(nodeArgs, [file], 'disposed\n');
        assertRealPositions(m, file);
        // Named `[nodejs.asyncDispose]` where the symbol is Node's own (before Node 24), else `[Symbol.asyncDispose]`.
        const [dispose] = [...m.tasks.values()].filter((t) => t.name.endsWith('.asyncDispose]'));
        assertAt(dispose?.stack[0], file, positionOf(file, '// AWAIT-USING', 'await using'), 'the asyncDispose call');
        const timer = opsOfType(m, 'Timeout').find((o) => o.stack[0]?.line === positionOf(file, '// DISPOSE-TIMEOUT', '').line);
        assertAt(timer?.stack[2], file, positionOf(file, '// AWAIT-USING', 'await using'), "the disposal's caller");
        const [release] = opsOfType(m, 'Immediate').filter((o) => o.stack[0]?.file === file);
        assertAt(release?.stack[0], file, positionOf(file, '// RELEASE-IMMEDIATE', 'setImmediate'), 'setImmediate in the dispose method');
        assertAt(release?.stack[1], file, positionOf(file, '// USING', 'using'), 'the dispose call');

        // The compiler's __addDisposableResource throws for a value that is not disposable: the error is the declaration's.
        const r = await runCli([...nodeArgs, file, 'throw']);
        assert.equal(r.code, 1, r.stderr);
        const failed = assertComplete(r);
        assertRealPositions(failed, file);
        const [err] = failed.errors;
        assert.equal(err?.stack[0]?.file, file);
        assert.equal(err.stack[0].line, positionOf(file, '// NOT-DISPOSABLE', '').line, 'the error source');
      });
    }

    test("nothing of the runner's runs after the script's first line: its own async hooks and the stacks of its async functions are as under plain Node", async () => {
      const frames = (text: string): string[] => text.split('\n').filter((l) => /^\s+at /.test(l));
      // The same code as an ES module entry: a copy named .mjs.
      const esm = join(tempDir('cd-first-tick-'), 'firstTickError.mjs');
      copyFileSync(runnerFixture('firstTickError.js'), esm);
      for (const file of [runnerFixture('ownAsyncHooks.js'), runnerFixture('firstTickError.js'), esm]) {
        const name = file.split(/[\\/]/).pop() as string;
        const plain = spawnSync(node.path, [file], { encoding: 'utf8' });
        const r = await runCli([...nodeArgs, file]);
        assert.equal(r.code, plain.status, `${name}: ${r.stderr}`);
        assert.equal(r.stdout, plain.stdout, name);
        assert.deepEqual(frames(r.stderr), frames(plain.stderr), name);
        assertComplete(r);
      }
    });

    for (const [name, marker, stdout] of [
      ['meta.ts', '// META-TIMEOUT', 'meta file:///\n'],
      ['tla.ts', '// TLA-TIMEOUT', 'tla 5\n'],
      ['useTla.ts', '// USE-TIMEOUT', 'v 7\n'],
      ['plain.ts', '// PLAIN-TIMEOUT', 'plain function undefined\n'],
    ]) {
      test(`TypeScript with no package.json "type" (${name}): its syntax decides the module system, as Node decides for JavaScript; exact original positions`, async () => {
        const file = runnerFixture(`tsDetect/${name}`);
        const m = await runOk(nodeArgs, [file], stdout);
        assertRealPositions(m, file);
        const timer = opsOfType(m, 'Timeout').find((o) => o.stack[0]?.file === file);
        assertAt(timer?.stack[0], file, positionOf(file, marker, 'setTimeout'), 'setTimeout source');
      });
    }

    test('a JavaScript ES module importing a .ts file: it runs, sources in the .ts file are exact', async () => {
      const shapes = runnerFixture('ts-cjs/shapes.ts');
      const m = await runOk(nodeArgs, [runnerFixture('importTs.mjs')], 'label:circle 16\n');
      const read = opsOfType(m, 'FSREQCALLBACK').find((o) => o.stack[0]?.file === shapes);
      assertAt(read?.stack[0], shapes, positionOf(shapes, '// TS-READFILE', 'readFile('), 'readFile source');
    });

    test('an uncaught exception in TypeScript: the error record and the printed stack show the .ts line', async () => {
      const file = runnerFixture('tsThrow.ts');
      const r = await runCli([...nodeArgs, file]);
      assert.equal(r.code, 1);
      const at = positionOf(file, '// BOOM', 'new Error');
      assert.ok(r.stderr.includes(`${file}:${at.line}:${at.column}`), r.stderr);
      const m = assertComplete(r);
      const [err] = m.errors;
      assert.equal(err?.kind, 'uncaughtException');
      assertAt(err.stack[0], file, at, 'error source');
    });

    test('a blocking timer callback is flagged with its source; the loop has busy stretches', async () => {
      const file = runnerFixture('blocking.js');
      const r = await runCli([...nodeArgs, file]);
      assert.equal(r.code, 0, r.stderr);
      const m = assertComplete(r);
      const at = positionOf(file, '// BLOCKER', 'setTimeout');
      const flagged = m.blocked.filter((b) => b.stack[0]?.file === file && b.stack[0]?.line === at.line);
      assert.equal(flagged.length, 1, JSON.stringify(m.blocked));
      assert.equal(flagged[0].stack[0].column, at.column);
      assert.ok(m.busy.length >= 1);
      // The blocking run lies inside a busy stretch.
      assert.ok(m.busy.some((b) => b.start <= flagged[0].start && b.end >= flagged[0].end));
    });

    const exitCases: { mode: string; code: number; error?: string; stdout: RegExp }[] = [
      { mode: 'normal', code: 0, stdout: /^mode normal\n$/ },
      { mode: 'exit3', code: 3, stdout: /^mode exit3\n$/ },
      { mode: 'throw', code: 1, error: 'uncaughtException', stdout: /^mode throw\n$/ },
      { mode: 'reject', code: 1, error: 'unhandledRejection', stdout: /^mode reject\n$/ },
      { mode: 'handledReject', code: 0, error: 'unhandledRejection', stdout: /script saw: rejected on purpose/ },
      // The script removes the runner's listeners too: its end is still recorded.
      { mode: 'unlistenAll', code: 0, stdout: /^mode unlistenAll\n$/ },
      { mode: 'unlistenExit3', code: 3, stdout: /^mode unlistenExit3\n$/ },
    ];
    for (const c of exitCases) {
      test(`exit path ${c.mode}: exit code ${c.code}, trace complete${c.error ? `, ${c.error} recorded` : ''}`, async () => {
        const file = runnerFixture('exitPaths.js');
        const r = await runCli([...nodeArgs, file, c.mode]);
        assert.equal(r.code, c.code, r.stderr);
        assert.match(r.stdout, c.stdout);
        const m = assertComplete(r);
        assert.equal(m.end?.exitCode, c.code);
        const errors = m.errors.filter((e) => e.kind !== 'runner');
        if (c.error) {
          assert.equal(errors.length, 1);
          assert.equal(errors[0].kind, c.error);
          assert.match(errors[0].stackText, /on purpose/);
          assert.equal(errors[0].stack[0]?.file, file, 'the error stack points into the fixture');
        } else {
          assert.equal(errors.length, 0);
        }
        if (c.mode === 'throw') assert.equal(errors[0].stack[0].line, positionOf(file, '// THROW', 'throw').line);
        // The timer that printed the line, made after the listeners were removed, is in the trace.
        assert.ok(opsOfType(m, 'Timeout').some((o) => o.stack[0]?.file === file), 'the timer is recorded');
      });
    }

    test('ten listeners of the script per event make no leak warning; its first rejection has id 1', async () => {
      const file = runnerFixture('noTraces.js');
      const listeners = await runCli([...nodeArgs, file, 'listeners']);
      assert.equal(listeners.code, 0, listeners.stderr);
      assert.equal(listeners.stdout, 'listeners added\n');
      assert.doesNotMatch(listeners.stderr, /MaxListenersExceededWarning/);
      const rejection = await runCli([...nodeArgs, '--node-arg=--unhandled-rejections=warn', file, 'rejection']);
      assert.equal(rejection.code, 0, rejection.stderr);
      assert.match(rejection.stderr, /\(rejection id: 1\)/);
    });

    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const code = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }[sig];
      test(`${sig} without a handler of the script: exit ${code}, trace complete`, async () => {
        const r = await runCli([...nodeArgs, runnerFixture('exitPaths.js'), 'signal'], { signalOnStdout: 'ready', signal: sig });
        assert.equal(r.code, code, r.stderr);
        const m = assertComplete(r);
        assert.equal(m.end?.signal, sig);
        assert.ok(opsOfType(m, 'Timeout').length >= 1, 'records written before the signal are there');
      });
      test(`${sig} sent by the script to itself while busy, with nothing left to do after: exit ${code}, as without the runner`, async () => {
        const r = await runCli([...nodeArgs, runnerFixture('exitPaths.js'), 'busySignal', sig]);
        assert.equal(r.code, code, r.stderr);
        const m = assertComplete(r);
        assert.equal(m.end?.signal, sig);
      });
      test(`${sig} after the script removed every listener of it (the runner's too): exit ${code}, trace complete`, async () => {
        const r = await runCli([...nodeArgs, runnerFixture('exitPaths.js'), 'signal', 'unlisten'], { signalOnStdout: 'ready', signal: sig });
        assert.equal(r.code, code, r.stderr);
        const m = assertComplete(r);
        assert.equal(m.end?.signal, sig);
        assert.ok(opsOfType(m, 'Timeout').length >= 1, 'records written before the signal are there');
      });
      for (const own of [false, true]) {
        test(`${sig} sent by the script to itself${own ? ', which listens to it, as its last act' : ''}: what follows runs exactly as without the runner`, async () => {
          const args = [runnerFixture('exitPaths.js'), 'selfSignal', sig, ...(own ? ['own'] : [])];
          const plain = plainRun(node.path, args);
          const r = await runCli([...nodeArgs, ...args]);
          // Plain Node: ended by the signal before the next line; with a listener, ended normally before the listener ran.
          assert.equal(plain.stdout, own ? 'after kill\n' : '');
          assert.equal(plain.code, own ? 0 : null);
          assert.equal(r.code, own ? 0 : code, r.stderr);
          assert.equal(r.stdout, plain.stdout);
          const m = assertComplete(r);
          assert.equal(m.end?.signal ?? null, own ? null : sig);
        });
      }
      test(`${sig} with the script's own handler: it runs and decides the exit code`, async () => {
        const r = await runCli([...nodeArgs, runnerFixture('exitPaths.js'), 'signal', 'own'], { signalOnStdout: 'ready', signal: sig });
        assert.equal(r.code, 7, r.stderr);
        assert.match(r.stdout, new RegExp(`script got ${sig}`));
        const m = assertComplete(r);
        assert.equal(m.end?.exitCode, 7);
      });
    }

    // Async work made a few frames from the stack limit, where the recorder's hooks run out of stack
    // too. Before: Node ended the script (an exception out of an async hook), or the run never ended
    // (the runner's flush timer kept the loop alive after a setTimeout that overflowed halfway).
    // Node 20 throws `undefined` out of an fs.readFile made that deep whenever any async hook is
    // installed (the script's own as well): that kind is left out there.
    const stackKinds = STACK_LIMIT_KINDS.filter((k) => k !== 'fsReadFile' || !node.name.startsWith('node v20.'));
    for (const kinds of [...stackKinds.map((k) => [k]), stackKinds]) {
      const what = kinds.length === 1 ? kinds[0] : `${kinds.length} kinds in one run`;
      test(`async work made at the stack limit (${what}): the script's output and exit code, and a whole trace`, async () => {
        const file = runnerFixture('stackLimit.js');
        const r = await runCli([...nodeArgs, file, ...kinds], { timeoutMs: 60_000 });
        const plain = plainRun(node.path, [file, ...kinds]);
        assert.equal(plain.code, 0, 'plain Node ends it normally');
        assert.equal(plain.stdout, kinds.map((k) => `done ${k} 12 made 12 callbacks\n`).join(''), 'plain Node made each and ran its callback');
        assert.equal(r.signal, null, `the run ended by itself (stderr: ${r.stderr})`);
        assert.equal(r.code, plain.code, r.stderr);
        assert.equal(r.stdout, plain.stdout);
        const m = assertComplete(r);
        assert.deepEqual(m.end, { exitCode: 0, signal: null });
        const main = [...m.threads.values()].find((t) => t.kind === 'main');
        const cuts = main?.stackCuts;
        if (cuts) {
          assert.ok(cuts.lost + cuts.unsourced <= cuts.cut, JSON.stringify(cuts));
          assert.match(r.stderr, /recorder hook calls? out of stack/, 'the summary says so');
        }
      });
    }
  });
}
