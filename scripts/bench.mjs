// `npm run bench`: the runner's overhead benchmark. Runs each workload of bench/workloads/ with plain
// node, under the runner (`node dist/cli.js run --trace FILE script`) and under Clinic.js Bubbleprof
// (`clinic bubbleprof --collect-only`), interleaved in one process tree, and prints a Markdown table of
// medians: wall-time ratio against plain node with the targets, peak RSS of the script's process,
// output size and bytes per trace record. `--profile` instead shows where the runner's time goes.
// See docs/benchmark.md. Not part of `npm test`.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import {
  BENCH_HELP,
  errorSummary,
  WORKLOADS,
  formatBytes,
  formatCount,
  formatRatio,
  formatSeconds,
  formatTable,
  median,
  parseBenchArgs,
  ratio,
  verdict,
} from '../bench/lib/benchStats.mjs';
import { TAG_NAMES, tallyTraceFile } from '../bench/lib/traceStats.mjs';
import { summarizeProfile } from '../bench/lib/cpuProfile.mjs';
// Run through tsx (`npm run bench`): the extension's own launch code, not a copy of it.
import { cliLaunchEnvironment } from '../src/cli/scriptEnv.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workloadDir = join(root, 'bench', 'workloads');
const rssReporter = join(root, 'bench', 'lib', 'rssReporter.cjs');
const bareRecorder = join(root, 'bench', 'lib', 'bareRecorder.cjs');
const hookFloor = join(root, 'bench', 'experiments', 'hookFloor.cjs');
/** `--floor` rows: recorder name → hookFloor.cjs mode. */
const FLOOR_MODES = { 'floor-empty': 'empty', 'floor-clock': 'clock', 'floor-records': 'records', 'floor-ids': 'ids' };
/**
 * `--floor` rows run in place of a workload's script: a copy instrumented by hand the way a
 * compile-time transform of its async functions could record its task lanes (no hooks, no CLI).
 */
const HAND_INSTRUMENTED = { W1: join(root, 'bench', 'experiments', 'w1Instrumented.mjs') };
const clinicBin = join(root, 'bench', 'node_modules', 'clinic', 'bin.js');

let opts;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  console.error(`bench: ${e.message}`);
  process.exit(2);
}
if (opts.help) {
  console.log(BENCH_HELP);
  process.exit(0);
}
// --cli measures another build of the tool (e.g. a tuning experiment); its runner sits beside it.
const builtCli = opts.cli ? resolve(opts.cli) : join(root, 'dist', 'cli.js');
const nodeBin = opts.node ? resolve(opts.node) : process.execPath;
if (!existsSync(nodeBin)) {
  console.error(`bench: --node ${opts.node}: no such file`);
  process.exit(2);
}
const nodeVersion = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout?.trim();
if (!nodeVersion?.startsWith('v')) {
  console.error(`bench: --node ${opts.node}: not a Node.js binary (\`--version\` printed nothing usable)`);
  process.exit(2);
}

/** Why a recorder cannot run at all on this checkout, or undefined when it can. */
function unavailable(recorder) {
  if ((recorder === 'runner' || recorder === 'runner-unlimited') && !existsSync(builtCli)) return `not built: ${opts.cli ?? 'dist/cli.js'} is missing (node scripts/build.mjs)`;
  if (recorder === 'clinic') {
    if (!opts.clinic) return 'skipped (--no-clinic or --quick)';
    if (!existsSync(clinicBin)) return 'not installed: run `npm install --prefix bench`';
  }
  return undefined;
}

const work = mkdtempSync(join(tmpdir(), 'cd-bench-'));
let seq = 0;

/**
 * Copies the tool's build (the CLI's folder, with package.json beside it as in the package) into the
 * work folder, so a rebuild of dist/ during a long benchmark cannot mix two builds in one table.
 */
function snapshotTool(cli) {
  if (!existsSync(cli)) return cli;
  const to = join(work, 'tool');
  cpSync(dirname(cli), join(to, 'dist'), { recursive: true });
  const pkg = join(dirname(cli), '..', 'package.json');
  if (existsSync(pkg)) cpSync(pkg, join(to, 'package.json'));
  return join(to, 'dist', basename(cli));
}
const cliPath = snapshotTool(builtCli);
const runnerBundle = join(dirname(cliPath), 'runner', 'preload.js');

/** Adds our RSS reporter to NODE_OPTIONS, keeping the user's own. Quoted: the path may hold spaces. */
function benchEnv(report, extra = {}) {
  const nodeOptions = [process.env.NODE_OPTIONS, `--require ${JSON.stringify(rssReporter)}`, extra.NODE_OPTIONS].filter(Boolean).join(' ');
  return { ...process.env, ...extra, NODE_OPTIONS: nodeOptions, CD_BENCH_REPORT: report };
}

/** The command being measured now, so Ctrl+C can stop it rather than leave it running. */
let current;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    current?.kill(sig);
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

/** Spawns a command, collects its output, and measures its wall time from spawn to exit (ms). */
function timed(cmd, args, options) {
  return new Promise((done) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (err) => done({ wallMs: NaN, code: null, signal: null, stdout, stderr: String(err) }));
    child.on('close', (code, signal) => {
      done({ wallMs: Number(process.hrtime.bigint() - t0) / 1e6, code, signal, stdout, stderr });
    });
  });
}

/** Total size in bytes of a file or a directory tree. */
function sizeOf(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, name) => n + sizeOf(join(path, name)), 0);
}

/** The reporter's lines of every Node process of one run (the CLI or Clinic, and the script). */
function readReports(reportFile) {
  if (!existsSync(reportFile)) return [];
  return readFileSync(reportFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** The reporter's line of the workload's own process (not the CLI's or Clinic's wrapper). */
function scriptReport(lines, workloadPath) {
  const want = realpathSync(workloadPath);
  return lines.find((r) => {
    try {
      return r.script && realpathSync(r.script) === want;
    } catch {
      return false;
    }
  });
}

/** One line saying why a run failed: its error message if stderr has one, else its last line. */
function why(res) {
  const lines = res.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const message = lines.find((l) => /^(\w*Error|error)\b.*:/.test(l)) ?? lines.at(-1) ?? '';
  const how = res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
  return `failed (${how})${message ? `: ${message.slice(0, 120)}` : ''}`;
}

/**
 * Runs one workload once under one recorder. Returns the measurements, or `{ error }` with a short
 * reason when the run failed or did not print the workload's own result line.
 */
async function runOnce(workload, recorder, { profileDir, cliProfileDir, keep = opts.keep } = {}) {
  const n = ++seq;
  const dir = join(work, `${workload.id}-${recorder}-${n}`);
  mkdirSync(dir);
  const report = join(dir, 'rss.ndjson');
  const script = recorder === 'floor-instrumented' ? HAND_INSTRUMENTED[workload.id] : join(workloadDir, workload.file);
  // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the script's own command line.
  const profArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const trace = join(dir, 'trace.cdt');
  let res;
  if (recorder === 'plain') {
    res = await timed(nodeBin, [...profArgs, script], { cwd: dir, env: benchEnv(report) });
  } else if (recorder === 'runner' || recorder === 'runner-unlimited') {
    const nodeArg = profArgs.map((a) => `--node-arg=${a}`);
    const cliProf = cliProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cliProfileDir}`] : [];
    // The CLI runs on the Node that runs the script, as the extension starts it (`<nodePath> cli.js
    // run …`, with the script's start-up variables such as NODE_OPTIONS handed over, not applied to the
    // CLI). So the reporter, which the script gets through NODE_OPTIONS, goes on the CLI's own command
    // line: the CPU column counts the CLI too.
    res = await timed(nodeBin, [...cliProf, '--require', rssReporter, cliPath, 'run', '--trace', trace, ...(recorder === 'runner-unlimited' ? ['--no-overhead-limit'] : []), ...nodeArg, script], { cwd: dir, env: cliLaunchEnvironment(benchEnv(report)) });
  } else if (recorder === 'bare') {
    res = await timed(nodeBin, ['--require', bareRecorder, script], { cwd: dir, env: benchEnv(report, { CD_BENCH_BARE_TRACE: trace }) });
  } else if (FLOOR_MODES[recorder]) {
    res = await timed(nodeBin, ['--require', hookFloor, script], { cwd: dir, env: benchEnv(report, { HOOK_FLOOR: FLOOR_MODES[recorder], HOOK_FLOOR_OUT: trace }) });
  } else if (recorder === 'floor-instrumented') {
    res = await timed(nodeBin, [script, trace], { cwd: dir, env: benchEnv(report) });
  } else {
    // Clinic 13 asks for consent on a prompt unless NO_INSIGHT is set: without a terminal it would
    // exit 0 having measured nothing.
    res = await timed(process.execPath, [clinicBin, 'bubbleprof', '--collect-only', '--', nodeBin, script], {
      cwd: dir,
      env: benchEnv(report, { NO_INSIGHT: '1' }),
    });
  }
  const out = { wallMs: res.wallMs, stdout: res.stdout, stderr: res.stderr, dir };
  const result = res.stdout.split('\n').find((l) => l.startsWith(`${workload.id} `));
  if (res.code !== 0 || !result) out.error = res.code !== 0 ? why(res) : `no "${workload.id} …" result line on stdout`;
  out.result = result;
  const reports = readReports(report);
  const rss = scriptReport(reports, script);
  out.pid = rss?.pid;
  // CPU of the whole process tree: unlike wall time it barely moves when other work shares the cores.
  out.cpuMs = reports.length > 0 && rss ? reports.reduce((n, r) => n + r.cpuUs, 0) / 1000 : NaN;
  out.rssKb = rss?.maxRssKb ?? NaN;
  out.scriptMs = rss?.uptimeMs ?? NaN;
  // The script itself completed (even if the recorder failed afterwards, like Clinic's trace join).
  out.scriptOk = Boolean(result && rss && rss.code === 0);
  if ((recorder === 'runner' || recorder === 'runner-unlimited') && existsSync(trace)) {
    out.tally = await tallyTraceFile(trace);
    out.outputBytes = statSync(trace).size;
    out.trace = trace;
  } else if (recorder === 'bare' && existsSync(trace)) {
    out.outputBytes = statSync(trace).size;
    out.tally = { records: countLines(trace) };
  } else if ((FLOOR_MODES[recorder] || recorder === 'floor-instrumented') && existsSync(trace)) {
    // Records of 3 float64 each.
    out.outputBytes = statSync(trace).size;
    if (out.outputBytes > 0) out.tally = { records: out.outputBytes / 24 };
  } else if (recorder === 'clinic') {
    out.outputBytes = sizeOf(join(dir, '.clinic'));
    if (!out.error && out.outputBytes === 0) out.error = 'wrote no .clinic output';
    else if (out.error && out.scriptOk) out.error = `${out.error.replace(/^failed/, 'failed after the script ended')}; output so far ${formatBytes(out.outputBytes)}`;
  }
  if (!keep) rmSync(dir, { recursive: true, force: true });
  return out;
}

/** Lines of a text file (records of the bare recorder's output). */
function countLines(file) {
  const buf = readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Names of the recorders in the table. */
const RECORDER_NAMES = {
  plain: 'plain',
  runner: 'runner',
  'runner-unlimited': 'runner --no-overhead-limit',
  bare: 'bare async_hooks (peer)',
  clinic: 'Clinic.js Bubbleprof',
  'floor-empty': 'floor: empty hooks',
  'floor-clock': 'floor: + clock per event',
  'floor-records': 'floor: + record per event',
  'floor-ids': 'floor: + promise ids',
  'floor-instrumented': 'floor: instrumented by hand, no hooks',
};

const startedAt = new Date();
const iso = (d) => d.toISOString().replace(/\.\d+Z$/, 'Z');

/** Header lines: when, where and what was measured. */
function describeMachine() {
  const cpu = cpus();
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  return [
    `Date: ${iso(startedAt)} to ${iso(new Date())}; commit ${commit}${opts.cli ? `; tool measured: ${builtCli}` : ''}`,
    `Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform} ${process.arch}; Node ${nodeVersion}`,
  ];
}

async function benchTable() {
  const workloads = WORKLOADS.filter((w) => opts.only.includes(w.id));
  const recorders = ['plain', 'runner', 'runner-unlimited', 'bare', 'clinic', ...(opts.floor ? [...Object.keys(FLOOR_MODES), 'floor-instrumented'] : [])];
  /**
   * Whether recorder `r` runs workload `w` at all: the runner without its limit only where the limit
   * acts, the hand-instrumented copy only where there is one.
   */
  const runs = (w, r) => (r !== 'runner-unlimited' || w.unlimited === true) && (r !== 'floor-instrumented' || HAND_INSTRUMENTED[w.id] !== undefined);
  const skip = Object.fromEntries(recorders.map((r) => [r, unavailable(r)]));
  const active = recorders.filter((r) => !skip[r]);
  const samples = new Map(); // `${id}/${recorder}` -> run results
  const key = (w, r) => `${w.id}/${r}`;

  // One unmeasured round first (without Clinic, the slowest), so disk caches and the CLI's first
  // start do not land in the first measured run.
  console.error(`bench: warm-up (${workloads.map((w) => w.id).join(', ')})`);
  for (const w of workloads) for (const r of active.filter((x) => x !== 'clinic' && runs(w, x))) await runOnce(w, r);

  for (let i = 0; i < opts.runs; i++) {
    for (const w of workloads) {
      // Rotate the order each round so no recorder always runs right after another's disk writes.
      // Clinic joins only the first --clinic-runs rounds: one of its W1 runs takes minutes.
      const round = active.filter((r) => runs(w, r) && (r !== 'clinic' || i < opts.clinicRuns));
      const order = round.map((_, k) => round[(k + i) % round.length]);
      for (const r of order) {
        const s = await runOnce(w, r);
        if (!samples.has(key(w, r))) samples.set(key(w, r), []);
        samples.get(key(w, r)).push(s);
        const shown = s.error ? s.error : `${formatSeconds(s.wallMs)}, RSS ${formatBytes(s.rssKb * 1024)}`;
        console.error(`bench: ${w.id} ${r.padEnd(6)} ${i + 1}/${r === 'clinic' ? opts.clinicRuns : opts.runs}: ${shown}`);
      }
    }
  }

  const header = ['Workload', 'Recorder', 'Wall (median)', 'vs plain', 'Target', 'Result', 'CPU', 'CPU result', 'Script process', 'Peak RSS', 'RSS vs plain', 'Output', 'Records', 'Bytes/record'];
  const rows = [];
  for (const w of workloads) {
    const plain = samples.get(key(w, 'plain')) ?? [];
    const plainOk = plain.filter((s) => !s.error);
    const base = {
      wall: median(plainOk.map((s) => s.wallMs)),
      rss: median(plainOk.map((s) => s.rssKb)),
      script: median(plainOk.map((s) => s.scriptMs)),
      cpu: median(plainOk.map((s) => s.cpuMs)),
    };
    const expected = plainOk[0]?.result;
    for (const r of recorders) {
      if (!runs(w, r)) continue;
      const name = RECORDER_NAMES[r];
      const label = `${w.id} ${w.title}`;
      if (skip[r]) {
        rows.push([label, name, skip[r], '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–']);
        continue;
      }
      const all = samples.get(key(w, r)) ?? [];
      // A recorder that changes what the script prints has changed its behaviour: count it as failed.
      for (const s of all) if (!s.error && expected && s.result !== expected) s.error = `changed the script's output: "${s.result}"`;
      const ok = all.filter((s) => !s.error);
      if (ok.length === 0) {
        // Still show what the script's own process cost when only the recorder's afterwards step failed.
        const ran = all.filter((s) => s.scriptOk);
        const scriptCell = ran.length ? formatRatio(ratio(median(ran.map((s) => s.scriptMs)), base.script)) : '–';
        const rssCell = ran.length ? formatBytes(median(ran.map((s) => s.rssKb)) * 1024) : '–';
        const rssRatio = ran.length ? formatRatio(ratio(median(ran.map((s) => s.rssKb)), base.rss)) : '–';
        rows.push([label, name, errorSummary(all), '–', '–', '–', '–', '–', scriptCell, rssCell, rssRatio, '–', '–', '–']);
        continue;
      }
      const wall = median(ok.map((s) => s.wallMs));
      const rss = median(ok.map((s) => s.rssKb));
      const script = median(ok.map((s) => s.scriptMs));
      const cpu = median(ok.map((s) => s.cpuMs));
      const wallRatio = ratio(wall, base.wall);
      const target = r === 'runner' ? w.target : undefined;
      const records = median(ok.filter((s) => s.tally).map((s) => s.tally.records));
      const bytes = median(ok.map((s) => s.outputBytes).filter((b) => b !== undefined));
      const failed = all.length - ok.length;
      rows.push([
        label,
        name + (failed > 0 ? ` (${errorSummary(all)})` : ''),
        formatSeconds(wall),
        r === 'plain' ? '1.00×' : formatRatio(wallRatio),
        target === undefined ? '–' : `≤ ${target.toFixed(2)}×`,
        verdict(wallRatio, target),
        r === 'plain' ? formatSeconds(cpu) : formatRatio(ratio(cpu, base.cpu)),
        verdict(ratio(cpu, base.cpu), target),
        r === 'plain' ? formatSeconds(script) : formatRatio(ratio(script, base.script)),
        formatBytes(rss * 1024),
        r === 'plain' ? '1.00×' : formatRatio(ratio(rss, base.rss)),
        r === 'plain' ? '–' : formatBytes(bytes),
        Number.isFinite(records) ? formatCount(records) : '–',
        Number.isFinite(records) ? `${(bytes / records).toFixed(1)}` : '–',
      ]);
    }
  }
  const text = [
    ...describeMachine(),
    `Runs: median of ${opts.runs} interleaved runs per cell${opts.clinic && opts.clinicRuns < opts.runs ? ` (Clinic.js: ${opts.clinicRuns})` : ''}${opts.quick ? ' (--quick: a quick look, not a result)' : ''}.`,
    '',
    formatTable(header, rows),
    '',
    'Wall = the whole command from spawn to exit (for the runner: its CLI, the script, and writing the trace).',
    'CPU = user + system CPU time of every Node process of the command, all threads (plain: seconds; others: ratio to plain);',
    '  CPU result = the same target applied to it: it stays meaningful when other work shares the cores and stretches wall times.',
    'Script process = lifetime of the workload\'s own process only (plain: seconds; others: ratio to plain).',
    'Peak RSS = maxRSS of the workload\'s own process. Records = lines of the trace file; Bytes/record = file size / records.',
    'bare async_hooks (peer) = bench/lib/bareRecorder.cjs: every async resource, PROMISE included, and its callbacks with a timestamp;',
    '  no call sites, no task lanes, no threads: what a simple recorder built on async_hooks costs on the same workload.',
    ...(opts.floor
      ? [
          'floor: … = bench/experiments/hookFloor.cjs in the script\'s process, no CLI: the runner\'s hooks installed as the runner installs them,',
          '  doing nothing; then reading the clock at each event; then writing a binary record (24 bytes) per event; then also giving',
          '  each promise an id (a property under a symbol). No call sites, no task lanes, no sources. What the runner costs beyond it is its own analysis.',
          'floor: instrumented by hand = bench/experiments/w1Instrumented.mjs, W1 with a call at each async function\'s entry, around each await and',
          '  at its exit writing a 24-byte record with a clock read: what W1\'s task lanes cost recorded by a compile-time transform, no hooks, no CLI.',
        ]
      : []),
  ].join('\n');
  console.log(text);
  if (opts.out) writeFileSync(opts.out, text + '\n');
}

/**
 * Maps a call frame of a bundle (`dist/…js`) back to its TypeScript source (`src/…ts:line`) through
 * the bundle's source map; undefined when there is no map or no mapping.
 */
function bundleLocator(bundle) {
  const mapFile = bundle + '.map';
  if (!existsSync(mapFile)) return () => undefined;
  const { SourceMap } = createRequire(import.meta.url)('node:module');
  const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
  return (cf) => {
    const e = map.findEntry(cf.lineNumber, cf.columnNumber);
    if (!e || !e.originalSource) return undefined;
    return `${e.originalSource.replace(/^.*?((src|node_modules)\/)/, '$1')}:${e.originalLine + 1}`;
  };
}

/** Reads the one `.cpuprofile` in `dir` whose name holds `.<pid>.0.` (any, when pid is undefined). */
function readProfile(dir, pid) {
  // Names are CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread.
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && (pid === undefined || f.includes(`.${pid}.0.`)));
  return file ? JSON.parse(readFileSync(join(dir, file), 'utf8')) : undefined;
}

/** Markdown table of the most expensive functions of a profile summary. */
function topTable(title, summary, n = 15) {
  const top = summary.top.filter((row) => row.origin !== 'idle').slice(0, n);
  return formatTable(
    [title, 'where', 'origin', 'ms', '%'],
    top.map((row) => [row.name, row.where, row.origin, row.ms.toFixed(1), ((100 * row.ms) / summary.totalMs).toFixed(1)]),
  );
}

async function profileRuns() {
  const workloads = WORKLOADS.filter((w) => opts.only.includes(w.id));
  if (unavailable('runner')) {
    console.error(`bench: runner ${unavailable('runner')}`);
    process.exit(1);
  }
  const locateInRunner = bundleLocator(runnerBundle);
  const locateInCli = bundleLocator(cliPath);
  const lines = [...describeMachine(), ''];
  for (const w of workloads) {
    const summaries = {};
    let tally;
    let cliSummary;
    let runnerRun;
    for (const r of ['plain', 'runner']) {
      const profileDir = join(work, `profile-${w.id}-${r}`);
      const cliProfileDir = r === 'runner' ? join(work, `profile-${w.id}-cli`) : undefined;
      mkdirSync(profileDir);
      const s = await runOnce(w, r, { profileDir, cliProfileDir, keep: true });
      if (s.error) {
        lines.push(`${w.id} ${r}: ${s.error}`);
        continue;
      }
      const profile = readProfile(profileDir, s.pid);
      if (!profile) {
        lines.push(`${w.id} ${r}: no CPU profile of the script's process in ${profileDir}`);
        continue;
      }
      summaries[r] = summarizeProfile(profile, { topN: 40, locate: (cf, origin) => (origin === 'runner' ? locateInRunner(cf) : undefined) });
      if (r === 'runner') {
        tally = s.tally;
        runnerRun = s;
        const cliProfile = readProfile(cliProfileDir);
        // The CLI's own code counts as "runner" here: it is the tool's cost, outside the script's process.
        if (cliProfile) cliSummary = summarizeProfile(cliProfile, { runnerMarker: cliPath.replaceAll('\\', '/'), topN: 40, locate: (cf, origin) => (origin === 'runner' ? locateInCli(cf) : undefined) });
      }
      if (!opts.keep) rmSync(s.dir, { recursive: true, force: true });
    }
    lines.push(`## ${w.id} ${w.title}`, '');
    if (runnerRun) {
      lines.push(
        `Runner run: whole command ${formatSeconds(runnerRun.wallMs)}, script process ${formatSeconds(runnerRun.scriptMs)}, ` +
          `so ${formatSeconds(runnerRun.wallMs - runnerRun.scriptMs)} in the CLI outside the script's lifetime (start-up, and reading the trace back at the end).`,
        '',
      );
    }
    const origins = ['script', 'node', 'deps', 'runner', 'gc', 'native', 'idle'];
    lines.push(
      formatTable(
        ['CPU profile self time (ms)', ...origins, 'total'],
        [
          ...['plain', 'runner'].filter((r) => summaries[r]).map((r) => [`${r}: script process`, ...origins.map((o) => (summaries[r].byOrigin[o] ?? 0).toFixed(0)), summaries[r].totalMs.toFixed(0)]),
          ...(cliSummary ? [['runner: CLI process (runner = dist/cli.js)', ...origins.map((o) => (cliSummary.byOrigin[o] ?? 0).toFixed(0)), cliSummary.totalMs.toFixed(0)]] : []),
        ],
      ),
      '',
    );
    if (summaries.runner) lines.push(topTable('Top self time in the script process under the runner', summaries.runner), '');
    if (cliSummary) lines.push(topTable('Top self time in the CLI process', cliSummary, 10), '');
    if (tally) {
      const tags = Object.keys(tally.counts).sort((a, b) => tally.bytes[b] - tally.bytes[a]);
      lines.push(
        formatTable(
          ['Trace record', 'tag', 'count', 'bytes', 'bytes/record', '% of file'],
          tags.map((t) => [TAG_NAMES[t] ?? 'unknown', t, formatCount(tally.counts[t]), formatBytes(tally.bytes[t]), (tally.bytes[t] / tally.counts[t]).toFixed(1), ((100 * tally.bytes[t]) / tally.totalBytes).toFixed(1)]),
        ),
        '',
      );
    }
  }
  if (opts.keep) lines.push(`profiles and traces: ${work}`, '');
  console.log(lines.join('\n'));
  if (opts.out) writeFileSync(opts.out, lines.join('\n') + '\n');
}

try {
  if (opts.profile) await profileRuns();
  else await benchTable();
} finally {
  if (!opts.keep) rmSync(work, { recursive: true, force: true });
  else console.error(`bench: kept ${work}`);
}
