/**
 * The `concurrency-diagram` CLI, run as users run it: pass-through of the script's I/O and exit
 * code, bad input, threadpool lanes and jobs from real evidence, the Chrome export, and stopping.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ChromeTrace } from '../../src/trace/chromeExport';
import { openInDevTools } from './devtools';
import { parseTrace, type TraceModel } from '../../src/trace/model';
import { maxConcurrentJobs, queuedJobIds } from '../../src/trace/poolModel';
import { cliLaunchEnvironment } from '../../src/cli/scriptEnv';
import { CLI_NICENESS } from '../../src/cli/run';
import { getPriority } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { cliPath, fixture, nodeMajor, nodeVersions, repoRoot, runCli, runCliRaw, tempDir } from './harness';

const cli = (name: string) => fixture(join('cli', name));

/** The last stderr line: the summary. */
function summaryOf(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return lines.filter((l) => l.startsWith('concurrency-diagram: ') && l.includes(' · trace: ')).pop() ?? '';
}

function poolJobs(model: TraceModel) {
  return [...model.poolJobs.values()];
}

describe('help and version', () => {
  test('--help prints the usage of run and report', async () => {
    const r = await runCliRaw(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /concurrency-diagram run \[options\] <script>/);
    assert.match(r.stdout, /--threadpool-size N/);
    assert.match(r.stdout, /concurrency-diagram report <trace>/);
  });
  test('--version prints the package version', async () => {
    const r = await runCliRaw(['--version']);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), `concurrency-diagram ${pkg.version}`);
  });
});

describe('bad input: one line naming the problem, exit code 2', () => {
  const dir = tempDir();
  const oldNode = join(dir, 'old-node');
  writeFileSync(oldNode, '#!/bin/sh\necho v18.19.0\n');
  chmodSync(oldNode, 0o755);
  writeFileSync(join(dir, 'empty.cdtrace'), '');
  const notNode = join(dir, 'not-node');
  writeFileSync(notNode, '#!/bin/sh\necho hello\n');
  chmodSync(notNode, 0o755);
  const cases: { name: string; args: string[]; message: RegExp; raw?: boolean; env?: Record<string, string> }[] = [
    { name: 'missing file', args: ['test/fixtures/cli/doesNotExist.ts'], message: /script not found: .*doesNotExist\.ts/ },
    { name: 'a directory', args: [cli('aDirectory.js')], message: /aDirectory\.js is a directory, not a script file/ },
    { name: 'unsupported extension', args: [cli('notAScript.py')], message: /unsupported file type '\.py' .*expected one of \.ts \.mts \.cts \.js \.mjs \.cjs/ },
    { name: 'unknown option', args: ['--frobnicate', cli('exitCode.js')], message: /unknown option '--frobnicate' for 'run'/ },
    { name: 'missing script', args: ['--threadpool-size', '2'], message: /missing script/ },
    { name: 'threadpool size 0', args: ['--threadpool-size', '0', cli('exitCode.js')], message: /--threadpool-size must be from 1 to 1024 .*got 0/ },
    { name: 'threadpool size 2000', args: ['--threadpool-size', '2000', cli('exitCode.js')], message: /--threadpool-size must be from 1 to 1024 .*got 2000/ },
    { name: 'threadpool size not a number', args: ['--threadpool-size=lots', cli('exitCode.js')], message: /--threadpool-size must be a whole number from 1 to 1024, got 'lots'/ },
    { name: '--node missing', args: ['--node', join(dir, 'nope'), cli('exitCode.js')], message: /--node .*nope: no such file/ },
    { name: '--node not a Node binary', args: ['--node', notNode, cli('exitCode.js')], message: /--node .*not-node: not a Node\.js binary/ },
    { name: '--node too old', args: ['--node', oldNode, cli('exitCode.js')], message: /--node .*old-node: Node v18\.19\.0 is too old; Concurrency Diagram needs Node 20 or newer/ },
    { name: 'unknown command', args: ['frobnicate'], message: /unknown command 'frobnicate'/, raw: true },
    { name: 'report of a file that is not a trace', args: ['report', cli('notATrace.cdtrace'), '--chrome-trace', join(dir, 'x.json')], message: /notATrace\.cdtrace: not a Concurrency Diagram trace/, raw: true },
    { name: 'report of a missing file', args: ['report', join(dir, 'missing.cdtrace'), '--html', join(dir, 'x.html')], message: /trace file not found: .*missing\.cdtrace/, raw: true },
    { name: 'report of an empty file', args: ['report', join(dir, 'empty.cdtrace'), '--html', join(dir, 'x.html')], message: /empty\.cdtrace: not a Concurrency Diagram trace \(empty file\)/, raw: true },
    { name: 'output folder missing', args: ['--chrome-trace', join(dir, 'no', 'such', 'x.json'), cli('exitCode.js')], message: /--chrome-trace .*x\.json: folder .*such does not exist/ },
    { name: 'report without output', args: ['report', cli('notATrace.cdtrace')], message: /'report' needs an output/, raw: true },
    { name: 'script start-up variables not a JSON object', args: [cli('exitCode.js')], env: { CONCURRENCY_DIAGRAM_SCRIPT_ENV: '--inspect' }, message: /CONCURRENCY_DIAGRAM_SCRIPT_ENV must be a JSON object of variable names to strings, not "--inspect"/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = c.raw ? await runCliRaw(c.args, { env: c.env }) : await runCli(c.args, { env: c.env });
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
      assert.match(lines[0], /^concurrency-diagram: /);
      assert.match(lines[0], c.message);
      assert.equal(r.stdout, '');
    });
  }
  test('TypeScript syntax error: file:line:column before anything runs', { skip: !existsSync(join(repoRoot, 'src', 'runner', 'typescript.ts')) }, async () => {
    const r = await runCli([cli('syntaxError.ts')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trim(), /^concurrency-diagram: .*syntaxError\.ts:5:\d+: .+/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('a tsconfig.json that is not JSON: one warning line, and the script runs with TypeScript\'s defaults', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "experimentalDecorators": true ');
    writeFileSync(join(dir, 'main.ts'), 'const d = (_m: unknown, c: ClassMethodDecoratorContext) => void console.log(`standard ${String(c.name)}`);\nclass A {\n  @d m(): void {}\n}\nnew A();\n');
    const r = await runCli([join(dir, 'main.ts')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'standard m\n');
    const warnings = r.stderr.trim().split('\n').filter((l) => l !== summaryOf(r.stderr));
    assert.deepEqual(warnings, [`concurrency-diagram: ${join(dir, 'tsconfig.json')}: cannot be used (not valid JSON); TypeScript's default options apply`]);
  });
});

describe('pass-through', () => {
  test('stdout, stderr, stdin, argv, cwd, env and the exit code reach the script unchanged', async () => {
    const cwd = tempDir();
    const r = await runCli([cli('exitCode.js'), '3', '--not-for-us', 'a b'], { cwd, env: { CD_TEST_VALUE: 'hello' }, input: 'from stdin' });
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { args: ['3', '--not-for-us', 'a b'], cwd, env: 'hello', input: 'from stdin' });
    assert.match(r.stderr, /^to stderr$/m);
    assert.match(summaryOf(r.stderr), /^concurrency-diagram: exit 3 · threads: 1 main, 0 workers, \d+ threadpool · \d+ async operations · \d+ tasks · \d+ pool jobs \(\d+ queued\) · trace: /);
    assert.ok(r.model, 'trace readable');
    assert.deepEqual(r.model.end, { exitCode: 3, signal: null });
    assert.equal(r.model.header?.format, 'concurrency-diagram-trace');
  });
  test('--node-arg, --threadpool-size and the user\'s own NODE_OPTIONS reach the script; its args are untouched', async () => {
    const r = await runCli(['--node-arg', '--max-old-space-size=123', '--node-arg=--no-warnings', '--threadpool-size', '3', cli('printProcess.js'), '--trace', 'x'], {
      env: { NODE_OPTIONS: '--title=cd-test-title' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { execArgv: ['--max-old-space-size=123', '--no-warnings'], title: 'cd-test-title', uv: '3', argv: ['--trace', 'x'] });
    assert.equal(r.model?.run?.threadpoolSize, 3);
  });
  test('started as the extension starts it, the CLI\'s own Node runs without the script\'s NODE_OPTIONS and NODE_EXTRA_CA_CERTS, and the script gets them', async () => {
    const marker = join(tempDir(), 'loaded-by.txt');
    writeFileSync(marker, '');
    const forScript = { NODE_OPTIONS: `--require ${cli('startupMarker.cjs')} --title=for-the-script`, NODE_EXTRA_CA_CERTS: cli('startupEnv.js') };
    // What the extension does to the environment it starts the CLI with.
    const launch = cliLaunchEnvironment({ ...forScript, CD_TEST_MARKER: marker });
    const r = await runCli([cli('startupEnv.js')], { env: { NODE_OPTIONS: undefined, NODE_EXTRA_CA_CERTS: undefined, ...launch } });
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(r.stdout);
    assert.equal(seen.ca, forScript.NODE_EXTRA_CA_CERTS);
    assert.equal(seen.handoff, null, 'the hand-off variable is not passed on');
    assert.equal(seen.title, 'for-the-script');
    assert.ok(seen.nodeOptions.endsWith(` ${forScript.NODE_OPTIONS}`), seen.nodeOptions);
    // Loaded once, by the script's process only: the CLI's own Node started without it.
    assert.deepEqual(readFileSync(marker, 'utf8').trim().split('\n').map((l) => l.split(' ')[1]), ['startupEnv.js']);
    assert.equal(r.model?.run?.script, cli('startupEnv.js'), 'the runner recorded the run');
  });
  test('while the script runs, the CLI runs at a lower CPU priority than the script, which keeps its own', { skip: process.platform === 'win32' }, async () => {
    const r = await runCli([cli('priorities.js')]);
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(r.stdout);
    const mine = getPriority();
    assert.equal(seen.own, mine, 'the script keeps the priority the CLI was started with');
    assert.equal(seen.parent, Math.max(mine, CLI_NICENESS), 'the CLI is niced');
  });
  test('without --trace the trace goes to a new file in the OS temp folder, named in the summary', async () => {
    const r = await runCliRaw(['run', cli('exitCode.js'), '0']);
    assert.equal(r.code, 0, r.stderr);
    const m = /· trace: (.+\.cdtrace)$/.exec(summaryOf(r.stderr));
    assert.ok(m, r.stderr);
    assert.ok(m[1].startsWith(tmpdir()), m[1]);
    assert.match(m[1], /concurrency-diagram-exitCode-\d{8}-\d{6}-\d+\.cdtrace$/);
    assert.match(readFileSync(m[1], 'utf8'), /^\["H",\{"format":"concurrency-diagram-trace"/);
    rmSync(m[1]);
  });
  test('an OS temp folder that does not exist: the script still runs, and Node\'s trace events go to the trace\'s folder', { skip: process.platform === 'win32' }, async () => {
    const r = await runCli([cli('pbkdf2Six.js')], { env: { TMPDIR: join(tempDir(), 'missing') } });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    assert.equal(r.model?.end?.exitCode, 0);
    // Node's trace events were still read: crypto jobs are exact, not inferred.
    const jobs = poolJobs(r.model);
    assert.ok(jobs.length > 0 && jobs.every((j) => !j.inferred), JSON.stringify(jobs));
    // Its temporary folder is gone again.
    assert.deepEqual(readdirSync(join(r.tracePath, '..')).filter((n) => n.startsWith('concurrency-diagram-node-')), []);
  });
  test('an OS temp folder that does not exist and no --trace: one line naming the temp folder, exit 2', { skip: process.platform === 'win32' }, async () => {
    const missing = join(tempDir(), 'missing');
    const r = await runCliRaw(['run', cli('exitCode.js'), '0'], { env: { TMPDIR: missing } });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `concurrency-diagram: no folder for the trace: the OS temp folder ${missing} does not exist (see TMPDIR); pass --trace FILE\n`);
  });
  test('a script killed by a signal: the CLI exits 128+n and the trace says which signal', async () => {
    const r = await runCli([cli('killSelf.js')]);
    assert.equal(r.code, 143, r.stderr);
    assert.equal(r.stdout, 'bye\n');
    assert.equal(r.model?.end?.signal, 'SIGTERM');
    assert.equal(r.model?.end?.exitCode, null);
    assert.notEqual(r.model?.end?.stopped, true);
  });
});

/** True while a process with this pid exists (and is not a zombie). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (exited, not yet reaped) is gone for our purpose.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('transpile cache', () => {
  test('a run prunes entries of the cache unused for weeks (in the CLI, once per run)', async () => {
    const cache = join(tempDir(), 'ts-cache');
    mkdirSync(cache);
    const stale = join(cache, `${'0'.repeat(40)}.json`);
    writeFileSync(stale, '{}');
    const monthAgo = new Date(Date.now() - 30 * 24 * 3600_000);
    utimesSync(stale, monthAgo, monthAgo);
    const r = await runCli([fixture(join('runner', 'tsThrow.ts'))], { env: { CONCURRENCY_DIAGRAM_CACHE: cache } });
    assert.ok(r.model?.run, r.stderr);
    assert.equal(existsSync(stale), false, 'the stale entry was removed');
    assert.ok(existsSync(join(cache, '.pruned')));
    assert.ok(readdirSync(cache).some((n) => n.endsWith('.json')), 'the entry of this run is kept');
  });

  for (const node of nodeVersions.slice(1)) {
    test(`${node.name}: the CLI keeps V8's code cache of the compiler; the script's process has no compile cache`, async () => {
      const cache = join(tempDir(), 'ts-cache');
      // The CLI on that Node, as the extension runs it.
      const r = await runCli([fixture(join('runner', 'compileCache.ts'))], { cliNode: node.path, env: { CONCURRENCY_DIAGRAM_CACHE: cache } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'compile cache: off\n');
      const cached = readdirSync(join(cache, 'v8'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      assert.ok(cached.length > 0, 'code cache written');
      // Only the compiler's: the CLI's own bundle was loaded before, the script runs in another process.
      assert.ok(cached.length <= 2, cached.map((e) => e.name).join(' '));
    });
  }
});

/**
 * Runs the CLI on a script that prints `pid N`, SIGKILLs the CLI as soon as it does, and asserts that
 * the script's process is gone within `withinMs` (killing it if not, so no test leaves it behind).
 */
async function killCliOf(args: string[], withinMs: number): Promise<{ r: Awaited<ReturnType<typeof runCli>>; pid: number }> {
  // The CLI's stdout is the script's too: the harness sees it close only once the script is gone.
  const r = await runCli(args, { signalOnStdout: 'pid ', signal: 'SIGKILL' });
  assert.equal(r.signal, 'SIGKILL');
  const pid = Number(/pid (\d+)/.exec(r.stdout)?.[1]);
  assert.ok(pid > 0, r.stdout);
  const deadline = Date.now() + withinMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
  const left = alive(pid);
  if (left) process.kill(pid, 'SIGKILL');
  assert.equal(left, false, `script ${pid} still running after the CLI died`);
  return { r, pid };
}

/**
 * Runs `python3 -c PTY_DRIVER <text> <argv>`: the command in a new pseudo-terminal whose foreground
 * process group it is, a Ctrl+C typed once it printed `text`, then everything it printed and its
 * exit status as JSON. As in a real terminal, the Ctrl+C reaches the whole process group.
 */
const PTY_DRIVER = `
import json, os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b''
def pump(until, seconds):
    global out
    end = time.time() + seconds
    while time.time() < end and (until is None or until not in out):
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            if not data:
                return
            out += data
pump(sys.argv[1].encode(), 30)
os.write(fd, b'\\x03')
pump(None, 30)
_, st = os.waitpid(pid, 0)
print(json.dumps({'out': out.decode(errors='replace'), 'status': os.waitstatus_to_exitcode(st)}))
`;

/** Why the terminal tests cannot run here, or false when they can. */
function ptySkip(): string | false {
  if (process.platform === 'win32') return 'no pseudo-terminals on Windows';
  const r = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' });
  return r.status === 0 ? false : 'python3 (with its pty module) is missing: it provides the pseudo-terminal these tests type Ctrl+C into';
}

/** Runs the CLI on `args` in a pseudo-terminal and types Ctrl+C once the script printed `ready`. */
function ctrlCInTerminal(args: string[], ready = 'ready'): { out: string; status: number; model: TraceModel | undefined } {
  const trace = join(tempDir(), 'trace.cdtrace');
  const r = spawnSync('python3', ['-c', PTY_DRIVER, ready, process.execPath, cliPath, 'run', '--trace', trace, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const { out, status } = JSON.parse(r.stdout) as { out: string; status: number };
  let model: TraceModel | undefined;
  try {
    model = parseTrace(readFileSync(trace, 'utf8'));
  } catch {
    model = undefined;
  }
  return { out: out.replace(/\r\n/g, '\n'), status, model };
}

describe('Ctrl+C in a terminal', { skip: ptySkip() }, () => {
  test('a script that handles it and shuts down gracefully in more than 1.5 s is not killed: it ends as it would under plain Node', () => {
    const r = ctrlCInTerminal([cli('ctrlC.js')]);
    assert.match(r.out, /ready\n\^?C?SIGINT taken, shutting down\nshut down\n/, r.out);
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(r.model?.end, { exitCode: 0, signal: null, stopped: true });
    assert.match(r.out, /concurrency-diagram: stopped, exit 0 · /);
  });
  test('a script stuck in a synchronous loop, whose loop never takes it, is still killed', () => {
    const r = ctrlCInTerminal([cli('busyLoop.js')]);
    assert.equal(r.status, 137, r.out);
    assert.deepEqual(r.model?.end, { exitCode: null, signal: 'SIGKILL', stopped: true });
  });
  test('a script with no listener of its own ends by the SIGINT, as under plain Node', () => {
    const r = ctrlCInTerminal([cli('forever.js')], 'pid');
    assert.equal(r.status, 130, r.out);
    assert.deepEqual(r.model?.end, { exitCode: null, signal: 'SIGINT', stopped: true });
  });
});

describe('no orphans', () => {
  for (const node of nodeVersions) {
    test(`on ${node.name}: the CLI SIGKILLed, the never-ending script ends within seconds and its trace is readable`, { timeout: 30_000 }, async () => {
      const { r, pid } = await killCliOf(['--node', node.path, cli('forever.js')], 5000);
      const m = r.model;
      assert.ok(m, 'trace readable');
      assert.equal(m.run?.pid, pid);
      assert.ok([...m.threads.values()].some((t) => t.kind === 'main' && t.end !== undefined), 'the main thread was finished in the trace');
      assert.equal(m.end, undefined, 'no run end: the CLI that writes it was killed');
    });
  }

  test('a SIGTERM as soon as the trace header exists (a Stop right after the start) ends the CLI and its spinning script', { timeout: 60_000, skip: process.platform === 'win32' }, async () => {
    // The header is written before the script starts: a signal in that window must be held and
    // forwarded, not end the CLI by default or be lost (then the script spins on as an orphan).
    for (let i = 0; i < 5; i++) {
      const trace = join(tempDir(), 'trace.cdtrace');
      const child = spawn(process.execPath, [cliPath, 'run', '--trace', trace, cli('busyLoopPid.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      const closed = new Promise<boolean>((done) => child.on('close', () => done(true)));
      while (!(existsSync(trace) && statSync(trace).size > 0)) await new Promise((r) => setImmediate(r));
      child.kill('SIGTERM');
      const ended = await Promise.race([closed, new Promise<boolean>((done) => setTimeout(() => done(false), 10_000))]);
      if (!ended) child.kill('SIGKILL');
      assert.ok(ended, `round ${i + 1}: the CLI ended after SIGTERM`);
      const pid = Number(/pid (\d+)/.exec(out)?.[1]);
      if (pid > 0) assert.throws(() => process.kill(pid, 0), `round ${i + 1}: the script (pid ${pid}) is gone`);
    }
  });

  test('the CLI SIGKILLed while the script spins in a synchronous loop: the script is killed within seconds', { timeout: 30_000, skip: process.platform === 'win32' }, async () => {
    const { r } = await killCliOf([cli('busyLoopPid.js')], 6000);
    assert.ok(r.model?.run, 'trace readable, with its run record');
  });
});

for (const node of nodeVersions) {
  describe(`threadpool on ${node.name}`, () => {
    test('--threadpool-size 2 with six pbkdf2: 2 lanes, at most 2 running, 4 queued, exact placement', async () => {
      const r = await runCli(['--node', node.path, '--threadpool-size', '2', cli('pbkdf2Six.js')]);
      assert.equal(r.code, 0, r.stderr);
      const m = r.model;
      assert.ok(m);
      assert.equal(m.run?.threadpoolSize, 2);
      assert.equal(m.poolThreads.length, 2, JSON.stringify(m.poolThreads));
      for (const p of m.poolThreads) assert.ok(p.osTid > 0, `pool thread with a real tid: ${JSON.stringify(p)}`);
      const jobs = poolJobs(m).filter((j) => j.type === 'PBKDF2REQUEST' || j.type === 'crypto');
      assert.equal(jobs.length, 6, JSON.stringify(poolJobs(m)));
      for (const j of jobs) {
        assert.equal(j.inferred, false, 'crypto work is placed exactly from trace events');
        assert.ok(j.poolIndex === 0 || j.poolIndex === 1);
        assert.ok(j.start >= j.submit && j.end >= j.start);
      }
      assert.ok(maxConcurrentJobs(poolJobs(m)) <= 2);
      const queued = queuedJobIds(jobs);
      assert.equal(queued.size, 4);
      const bySubmit = [...jobs].sort((a, b) => a.submit - b.submit);
      // FIFO: the two submitted first ran at once, the four after them waited for a thread.
      assert.deepEqual(bySubmit.slice(2).map((j) => queued.has(j.id)), [true, true, true, true]);
      for (const j of bySubmit.slice(2)) assert.ok(j.start > j.submit);
      if ([...m.ops.values()].some((o) => o.type === 'PBKDF2REQUEST')) {
        for (const j of jobs) {
          assert.equal(j.type, 'PBKDF2REQUEST');
          assert.ok(j.opKey && m.ops.get(j.opKey)?.type === 'PBKDF2REQUEST', 'job linked to its async resource');
        }
      }
      assert.match(summaryOf(r.stderr), / 2 threadpool · .* 6 pool jobs \(4 queued\)/);
    });

    test('under Node\'s permission model the recorder still records (it may read its files and write the trace, nothing more)', async () => {
      // Node 20 calls it --experimental-permission and grants no read of the entry script by itself.
      const major = Number(/(\d+)/.exec(spawnSync(node.path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout)?.[1]);
      const flags = major < 22 ? ['--node-arg=--experimental-permission', `--node-arg=--allow-fs-read=${cli('pbkdf2Six.js')}`] : ['--node-arg=--permission'];
      const r = await runCli(['--node', node.path, ...flags, '--threadpool-size', '2', cli('pbkdf2Six.js')]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /pbkdf2 done/);
      const m = r.model;
      assert.ok(m?.run, 'run record');
      assert.equal(m.errors.length, 0, JSON.stringify(m.errors));
      assert.equal(typeof [...m.threads.values()].find((t) => t.kind === 'main')?.end, 'number', 'main thread end record');
      assert.equal(poolJobs(m).filter((j) => j.type === 'PBKDF2REQUEST' || j.type === 'crypto').length, 6);
      assert.match(summaryOf(r.stderr), / 6 pool jobs \(4 queued\)/);
    });

    test('the script\'s own trace events: its file is where Node puts it, and the pool jobs are still exact', async () => {
      const exact = (m: TraceModel | undefined) => {
        const jobs = m ? poolJobs(m).filter((j) => j.type === 'PBKDF2REQUEST' || j.type === 'crypto') : [];
        assert.equal(jobs.length, 6);
        for (const j of jobs) assert.equal(j.inferred, false, 'placed from Node\'s trace events');
      };
      const traced = (file: string) => readFileSync(file, 'utf8').includes('"cat":"v8');
      // No tracing of its own: no file of Node's in its folder.
      const quiet = tempDir();
      const r0 = await runCli(['--node', node.path, cli('pbkdf2Six.js')], { cwd: quiet });
      assert.equal(r0.code, 0, r0.stderr);
      exact(r0.model);
      assert.deepEqual(readdirSync(quiet), []);
      // Categories of its own, Node's default file name: node_trace.1.log in its folder.
      const dflt = tempDir();
      const r1 = await runCli(['--node', node.path, '--node-arg=--trace-event-categories', '--node-arg=v8', cli('pbkdf2Six.js')], { cwd: dflt });
      assert.equal(r1.code, 0, r1.stderr);
      exact(r1.model);
      assert.deepEqual(readdirSync(dflt), ['node_trace.1.log']);
      assert.ok(traced(join(dflt, 'node_trace.1.log')), 'the script\'s v8 events are in it');
      // A file name of its own: that file, read by the CLI and left in place.
      const own = tempDir();
      const r2 = await runCli(['--node', node.path, '--node-arg=--trace-event-categories', '--node-arg=v8', '--node-arg=--trace-event-file-pattern=mine-${rotation}.json', cli('pbkdf2Six.js')], { cwd: own });
      assert.equal(r2.code, 0, r2.stderr);
      exact(r2.model);
      assert.deepEqual(readdirSync(own), ['mine-1.json']);
      assert.ok(traced(join(own, 'mine-1.json')));
    });

    test('a script that sets UV_THREADPOOL_SIZE in its first line gets that pool: 6 lanes for six pbkdf2, none queued', async () => {
      // Under plain Node the pool does not exist before the script's first line: nothing of the runner may start it.
      const plain = spawnSync(node.path, [cli('poolSizeOwn.js')], { encoding: 'utf8' });
      assert.equal(plain.status, 0, plain.stderr);
      const r = await runCli(['--node', node.path, cli('poolSizeOwn.js')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, plain.stdout, 'the same threads at the script\'s start as under plain Node');
      const m = r.model;
      assert.ok(m);
      assert.equal(m.run?.threadpoolSize, 6);
      assert.equal(m.poolThreads.length, 6, JSON.stringify(m.poolThreads));
      const jobs = poolJobs(m).filter((j) => j.type === 'PBKDF2REQUEST' || j.type === 'crypto');
      assert.equal(jobs.length, 6, JSON.stringify(poolJobs(m)));
      for (const j of jobs) assert.equal(j.inferred, false, 'crypto work is placed exactly from trace events');
      // Which thread takes which job is libuv's and the OS's choice: on a loaded machine a thread that
      // woke late can find the queue emptied by one that finished its first job. So only the pool is asked for.
      assert.ok(new Set(jobs.map((j) => j.poolIndex)).size >= 2, 'the jobs ran on several threads');
      assert.match(summaryOf(r.stderr), / 6 threadpool · .* 6 pool jobs/);
    });

    test('fs reads are placed by the FIFO model and marked inferred; never more jobs running than threads', async () => {
      const r = await runCli(['--node', node.path, '--threadpool-size', '2', cli('fsReads.js')]);
      assert.equal(r.code, 0, r.stderr);
      const m = r.model;
      assert.ok(m);
      assert.equal(m.poolThreads.length, 2);
      // On Linux the pool threads are seen in /proc (named libuv-worker on Node 22+).
      if (process.platform === 'linux') for (const p of m.poolThreads) assert.ok(p.osTid > 0, JSON.stringify(p));
      const jobs = poolJobs(m);
      if (nodeMajor(m) >= 26) {
        // Node 26 reads a small file in one pool job (open, fstat, read, close) and reports it in its
        // trace events: one exact job per read, linked to the read's FSREQCALLBACK, and no other.
        assert.equal(jobs.length, 8, 'one job per read');
        const ops = new Set<string>();
        for (const j of jobs) {
          assert.equal(j.inferred, false);
          assert.equal(j.opKey && m.ops.get(j.opKey)?.type, 'FSREQCALLBACK');
          ops.add(j.opKey as string);
        }
        assert.equal(ops.size, 8, 'each read its own job');
      } else {
        assert.ok(jobs.length >= 8 * 4, `open, fstat, read, close for each of 8 reads: ${jobs.length}`);
        for (const j of jobs) assert.equal(j.inferred, true);
      }
      for (const j of jobs) assert.ok(j.start >= j.submit && j.end >= j.start);
      assert.ok(maxConcurrentJobs(jobs) <= 2);
    });

    test('pbkdf2 and fs.stat on 2 threads: exact and inferred jobs never overlap on a lane, never more than 2 at once, the stat queued', async () => {
      const chrome = join(tempDir(), 'chrome.json');
      const r = await runCli(['--node', node.path, '--threadpool-size', '2', '--chrome-trace', chrome, cli('pbkdf2ThenStat.js')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'stat done\n');
      const m = r.model;
      assert.ok(m);
      assert.equal(m.poolThreads.length, 2);
      const jobs = poolJobs(m);
      const all = JSON.stringify(jobs);
      const hashes = jobs.filter((j) => !j.inferred);
      assert.equal(hashes.length, 3, all);
      const stats = jobs.filter((j) => j.inferred && j.type === 'FSREQCALLBACK');
      assert.equal(stats.length, 1, all);
      const stat = stats[0];
      for (const j of jobs) assert.ok(j.poolIndex === 0 || j.poolIndex === 1, all);
      assert.ok(maxConcurrentJobs(jobs) <= 2, all);
      for (const a of jobs) {
        for (const b of jobs) {
          if (a.id < b.id && a.poolIndex === b.poolIndex) assert.ok(a.end <= b.start || b.end <= a.start, `jobs ${a.id} and ${b.id} overlap on lane ${a.poolIndex}: ${all}`);
        }
      }
      // Submitted after the three hashes (their resources were created first), while both threads had
      // one: it waited in the queue, at least until the third hash started (libuv hands jobs out in order).
      const created = (j: { opKey?: string }) => (j.opKey ? m.ops.get(j.opKey)?.created : undefined) ?? NaN;
      for (const h of hashes) if (h.opKey) assert.ok(created(h) < created(stat), all);
      assert.ok(queuedJobIds(jobs).has(stat.id), all);
      assert.ok(stat.start >= Math.max(...hashes.map((h) => h.start)), all);
      // The Chrome export says so too.
      const events = (JSON.parse(readFileSync(chrome, 'utf8')) as ChromeTrace).traceEvents;
      const x = events.find((e) => e.ph === 'X' && e.cat === 'threadpool,inferred' && e.args?.jobId === stat.id);
      assert.ok(x && Number(x.args?.queuedUs) > 0, JSON.stringify(x));
    });

    test('fs.cp: the copy job Node 26 reports is one exact job of its FSREQCALLBACK; no resource has two jobs', async () => {
      const r = await runCli(['--node', node.path, cli('fsCp.js')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'copied\n');
      const m = r.model;
      assert.ok(m);
      const jobs = poolJobs(m);
      const byOp = new Map<string, number>();
      for (const j of jobs) if (j.opKey) byOp.set(j.opKey, (byOp.get(j.opKey) ?? 0) + 1);
      assert.ok([...byOp.values()].every((n) => n === 1), 'one job per resource');
      const exact = jobs.filter((j) => !j.inferred);
      if (nodeMajor(m) >= 26) {
        assert.ok(exact.length >= 1, 'the copy is reported by Node');
        for (const j of exact) assert.equal(j.opKey && m.ops.get(j.opKey)?.type, 'FSREQCALLBACK');
      } else {
        assert.equal(exact.length, 0, 'before Node 26 every fs job is inferred');
      }
    });

    test('two gzip streams, the one made first writing last: each zlib job is linked to the stream whose work it was', async () => {
      const file = cli('zlibStreams.js');
      const r = await runCli(['--node', node.path, file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'both ended\n');
      const m = r.model;
      assert.ok(m);
      const source = readFileSync(file, 'utf8').split('\n');
      const lineOf = (marker: string) => source.findIndex((l) => l.includes(marker)) + 1;
      const timer = [...m.ops.values()].find((o) => o.type === 'Timeout' && o.stack[0]?.file === file);
      assert.ok(timer && timer.callbacks.length >= 2, 'the timer ran');
      const jobs = poolJobs(m).filter((j) => !j.inferred && j.type === 'ZLIB');
      const all = JSON.stringify(jobs);
      const byLine = new Map<number, number[]>();
      for (const j of jobs) {
        const op = j.opKey ? m.ops.get(j.opKey) : undefined;
        assert.ok(op && op.type === 'ZLIB' && op.stack[0]?.file === file, `job ${j.id} linked to a stream of the script: ${all}`);
        const line = op.stack[0].line;
        byLine.set(line, [...(byLine.get(line) ?? []), j.submit]);
      }
      const second = byLine.get(lineOf('// SECOND')) ?? [];
      const first = byLine.get(lineOf('// FIRST')) ?? [];
      assert.ok(second.length > 0 && first.length > 0, `both streams have jobs: ${all}`);
      // The second stream wrote before the timer ran, the first one in the timer's callback and after.
      for (const t of second) assert.ok(t < timer.callbacks[0], `second stream's job at ${t}, timer at ${timer.callbacks[0]}: ${all}`);
      for (const t of first) assert.ok(t >= timer.callbacks[0], `first stream's job at ${t}, timer at ${timer.callbacks[0]}: ${all}`);
    });

    test('SIGTERM to the CLI while the script spins: killed after the escalation, trace readable with Q.stopped', async () => {
      const r = await runCli(['--node', node.path, cli('busyLoop.js')], { signalOnStdout: 'ready', signal: 'SIGTERM' });
      assert.equal(r.stdout, 'ready\n');
      assert.ok(r.signalSentAtMs !== undefined);
      assert.ok(r.endedAtMs - r.signalSentAtMs < 2500, `ended ${r.endedAtMs - r.signalSentAtMs} ms after SIGTERM`);
      assert.equal(r.code, 137, r.stderr);
      assert.ok(r.model, 'trace readable');
      assert.deepEqual(r.model.end, { exitCode: null, signal: 'SIGKILL', stopped: true });
      assert.ok([...r.model.threads.values()].some((t) => t.kind === 'main'), 'the main thread is recorded although the script never yielded');
      assert.ok(r.model.run, 'the run record is there too');
      assert.equal(r.model.header?.version, 1);
      assert.match(summaryOf(r.stderr), /^concurrency-diagram: stopped, signal SIGKILL/);
    });
  });
}

for (const node of nodeVersions) {
  describe(`TypeScript compile on ${node.name}`, () => {
    for (const entry of ['main.ts', 'main.mts']) {
      test(`tsLate/${entry}, a module compiled only when the script loads it: the compile is the runner's (S), never the script's blocked event loop`, async () => {
        const dir = tempDir();
        const chrome = join(dir, 'chrome.json');
        const r = await runCli(['--node', node.path, '--chrome-trace', chrome, cli(join('tsLate', entry))], { env: { CONCURRENCY_DIAGRAM_CACHE: join(dir, 'ts-cache') } });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, entry === 'main.ts' ? 'square 49\n' : 'cube 27\n');
        const m = r.model;
        assert.ok(m);
        const main = [...m.threads.values()].find((t) => t.kind === 'main');
        assert.ok(main);
        const runner = m.busy.filter((b) => b.runner !== undefined);
        for (const b of runner) assert.equal(b.thread, main.key);
        // On Node 20 an ES module is compiled on Node's hooks thread: the main thread waits for it to start.
        const offThread = entry === 'main.mts' && /^v20\./.test(m.run?.node ?? '');
        assert.ok(runner.some((b) => b.runner === (offThread ? 'TypeScript loader' : 'TypeScript compile')), JSON.stringify(runner));
        const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
        for (const z of m.blocked) {
          for (const b of runner) assert.ok(!overlaps(z, b), `blocked ${JSON.stringify(z)} overlaps the runner's ${JSON.stringify(b)}`);
        }
        for (const l of m.busy.filter((b) => b.runner === undefined)) {
          for (const b of runner) assert.ok(!overlaps(l, b), `busy ${l.start}-${l.end} overlaps the runner's ${JSON.stringify(b)}`);
        }
        // The Chrome export tells it apart too.
        const events = (JSON.parse(readFileSync(chrome, 'utf8')) as ChromeTrace).traceEvents;
        assert.equal(events.filter((e) => e.cat === 'runner' && e.ph === 'X' && e.name.startsWith('runner start-up (')).length, runner.length);
      });
    }

    // An .mts entry too: Node 20 gives it to the CommonJS loader first, which must find the CLI's compile.
    for (const entry of ['ts-cjs/main.ts', 'ts-esm/main.ts', 'ts-mts/main.mts']) {
      test(`${entry} with a cold cache: the CLI compiles the entry and its imports before the run, the script's process compiles nothing`, async () => {
        const dir = tempDir();
        const cache = join(dir, 'ts-cache');
        const r = await runCli(['--node', node.path, fixture(join('runner', entry))], { env: { CONCURRENCY_DIAGRAM_CACHE: cache } });
        assert.equal(r.code, 0, r.stderr);
        const m = r.model;
        assert.ok(m);
        assert.deepEqual(m.busy.filter((b) => b.runner === 'TypeScript compile'), []);
        const entries = readdirSync(cache).filter((n) => n.endsWith('.json'));
        assert.equal(entries.length, 2, 'the entry and the module it imports, each compiled once');
        // Written before the run's origin: by the CLI, not by the script's process.
        const origin = m.header?.originWallMs ?? 0;
        for (const e of entries) assert.ok(statSync(join(cache, e)).mtimeMs <= origin, `${e} written ${statSync(join(cache, e)).mtimeMs - origin} ms after the origin`);
      });
    }
  });
}

describe('threadpool: inferred placement and getaddrinfo', () => {
  test('fetch to localhost runs getaddrinfo on a pool lane', async () => {
    const r = await runCli([cli('fetchHost.mjs'), 'localhost']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /status 200 ok/);
    const m = r.model;
    assert.ok(m);
    const gai = poolJobs(m).filter((j) => j.type === 'GETADDRINFOREQWRAP');
    assert.ok(gai.length >= 1, JSON.stringify(poolJobs(m)));
    for (const j of gai) {
      assert.ok(j.poolIndex >= 0 && j.poolIndex < m.poolThreads.length, 'on an existing pool lane');
      assert.equal(j.inferred, true);
    }
  });

  test('fetch to 127.0.0.1 does no getaddrinfo at all', async () => {
    const r = await runCli([cli('fetchHost.mjs'), '127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /status 200 ok/);
    const m = r.model;
    assert.ok(m);
    assert.equal(poolJobs(m).filter((j) => j.type === 'GETADDRINFOREQWRAP').length, 0);
    assert.equal([...m.ops.values()].filter((o) => o.type === 'GETADDRINFOREQWRAP').length, 0);
  });
});

describe('live view', () => {
  test('pool jobs are appended while the script runs, and the final records replace them (no duplicates)', async () => {
    const r = await runCli([cli('slowReads.js')]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.traceText.split('\n');
    const qLine = lines.findIndex((l) => l.startsWith('["Q"'));
    const lastCtx = lines.lastIndexOf(lines.filter((l) => /^\["@",\d+,-1\]$/.test(l)).pop() ?? '');
    const liveJobs = lines.slice(0, lastCtx).filter((l) => l.startsWith('["J"'));
    assert.ok(liveJobs.length > 0, 'J records before the final pass');
    assert.ok(qLine > lastCtx);
    const m = r.model;
    assert.ok(m);
    const finalIds = lines.slice(lastCtx).filter((l) => l.startsWith('["J"')).map((l) => (JSON.parse(l) as number[])[1]);
    assert.equal(m.poolJobs.size, new Set(finalIds).size, 'every live job was replaced by a final one');
    for (const l of liveJobs) assert.ok(finalIds.includes((JSON.parse(l) as number[])[1]));
  });
});

describe('HTML report', () => {
  test('run --html and report --html write a standalone page with the trace in it', async () => {
    const dir = tempDir();
    const html = join(dir, 'run.html');
    const r = await runCli(['--html', html, cli('pbkdf2Six.js')]);
    assert.equal(r.code, 0, r.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!DOCTYPE html>/i);
    assert.ok(page.includes('concurrency-diagram-trace'), 'the trace is embedded');
    assert.match(r.stderr, /HTML report: .*run\.html/);
    const again = join(dir, 'report.html');
    const rep = await runCliRaw(['report', r.tracePath, '--html', again]);
    assert.equal(rep.code, 0, rep.stderr);
    assert.ok(readFileSync(again, 'utf8').includes('concurrency-diagram-trace'));
  });
});

describe('Chrome / Perfetto export', () => {
  test('child Node processes: each run record names the script its own process runs, and so does the export', async () => {
    const chrome = join(tempDir(), 'run.json');
    const r = await runCli(['--chrome-trace', chrome, cli('childProcesses.js')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'children done 0\n');
    const runs = r.traceText
      .split('\n')
      .filter((l) => l.startsWith('["R",'))
      .map((l) => (JSON.parse(l) as [string, { pid: number; script: string }])[1]);
    const parent = runs[0];
    assert.equal(parent.script, cli('childProcesses.js'));
    const kids = runs.filter((x) => x.pid !== parent.pid);
    assert.equal(new Set(kids.map((k) => k.pid)).size, 2, 'the execFile child and the forked one');
    for (const k of kids) assert.equal(k.script, cli('childKid.js'), `process ${k.pid} runs childKid.js`);
    assert.equal(r.model?.run?.pid, parent.pid, 'the run is the script\'s own process');
    assert.equal(r.model?.run?.script, cli('childProcesses.js'));
    const ct = JSON.parse(readFileSync(chrome, 'utf8')) as ChromeTrace;
    const procName = new Map(ct.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, String(e.args?.name)]));
    assert.equal(procName.get(parent.pid), 'node childProcesses.js');
    for (const k of kids) assert.equal(procName.get(k.pid), 'node childKid.js');
  });

  test('run --chrome-trace and report --chrome-trace write the same lanes: main, threadpool, ph X with args.type', async () => {
    const dir = tempDir();
    const chrome = join(dir, 'run.json');
    const r = await runCli(['--threadpool-size', '2', '--chrome-trace', chrome, cli('pbkdf2Six.js')]);
    assert.equal(r.code, 0, r.stderr);
    const ct = JSON.parse(readFileSync(chrome, 'utf8')) as ChromeTrace;
    const meta = ct.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name');
    const names = meta.map((e) => String(e.args?.name));
    const mainTid = [...(r.model?.threads.values() ?? [])].find((t) => t.kind === 'main')?.osTid;
    assert.match(String(meta.find((e) => e.tid === mainTid)?.args?.name), /main/, names.join(', '));
    assert.equal(names.filter((n) => n.includes('threadpool')).length, 2, names.join(', '));
    const jobs = ct.traceEvents.filter((e) => e.ph === 'X' && String(e.cat).startsWith('threadpool'));
    assert.equal(jobs.length, 6);
    for (const e of jobs) {
      assert.equal(typeof e.ts, 'number');
      assert.equal(typeof e.dur, 'number');
      assert.ok(['PBKDF2REQUEST', 'crypto'].includes(String(e.args?.type)));
      assert.equal(e.args?.inferred, false);
      if (e.args?.source !== undefined) assert.match(String(e.args.source), /^\/.*pbkdf2Six\.js:\d+:\d+$/);
    }
    assert.equal(ct.traceEvents.filter((e) => e.ph === 'b' && e.cat === 'threadpool.queue').length, jobs.filter((e) => Number(e.args?.queuedUs) > 0).length);
    for (const e of ct.traceEvents.filter((x) => x.ph === 'X' && x.cat === 'async')) {
      assert.equal(typeof e.args?.type, 'string');
      if (e.args?.source !== undefined) assert.match(String(e.args.source), /:\d+:\d+$/);
    }
    const again = join(dir, 'report.json');
    const rep = await runCliRaw(['report', r.tracePath, '--chrome-trace', again]);
    assert.equal(rep.code, 0, rep.stderr);
    assert.deepEqual(JSON.parse(readFileSync(again, 'utf8')), ct);
  });

  test('the export opens in the trace engine of Chrome DevTools\' Performance panel: every lane, event and instant is shown', async () => {
    const dir = tempDir();
    const chrome = join(dir, 'shapes.json');
    const r = await runCli(['--threadpool-size', '2', '--chrome-trace', chrome, cli('chromeShapes.js')]);
    assert.equal(r.code, 1, 'the fixture ends with an uncaught error');
    const events = (JSON.parse(readFileSync(chrome, 'utf8')) as ChromeTrace).traceEvents;
    const view = await openInDevTools(events);
    // Lanes: each one with events is a thread of its own, under the name we gave it.
    const laneName = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args?.name)]));
    const withEvents = new Set(events.filter((e) => e.ph === 'X' || e.ph === 'I').map((e) => e.tid));
    const shown = new Map(view.threads.map((t) => [t.tid, t]));
    assert.deepEqual([...shown.keys()].sort(), [...withEvents].sort(), 'the threads DevTools shows');
    for (const [tid, t] of shown) assert.equal(t.name, laneName.get(tid), `name of thread ${tid}`);
    const names = [...shown.values()].map((t) => t.name);
    assert.ok(names.includes('main') && names.some((n) => n.startsWith('worker #')), names.join(', '));
    assert.equal(names.filter((n) => n.startsWith('threadpool')).length, 2, names.join(', '));
    assert.equal(names.filter((n) => /^\s*task step/.test(n)).length, 6, names.join(', '));
    // Events: every complete event and instant is drawn on its thread (none dropped, e.g. for
    // overlapping another one on the same lane without nesting in it).
    const drawn = new Set(view.threads.flatMap((t) => t.drawn));
    const lost = events.filter((e) => (e.ph === 'X' || e.ph === 'I') && !drawn.has(e));
    assert.deepEqual(lost.map((e) => `${laneName.get(e.tid)}: ${e.ph} ${e.name} @${e.ts}`), [], 'events DevTools does not draw');
    const poolDrawn = [...shown.values()].filter((t) => t.name.startsWith('threadpool')).flatMap((t) => t.drawn);
    assert.equal(poolDrawn.length, 6, 'the six jobs on the pool threads');
    const mainDrawn = view.threads.find((t) => t.name === 'main')?.drawn ?? [];
    const end = mainDrawn.find((e) => e.name === 'run end');
    assert.ok(end, 'the run end is an instant on the main thread');
    assert.ok(mainDrawn.some((e) => e.ph === 'I' && e.cat === 'error'), 'so is the uncaught error');
    assert.ok(view.bounds.max >= Number(end.ts), 'the time range reaches the run end');
  });
});
