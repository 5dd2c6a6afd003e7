// Pure helpers of the benchmark harness (scripts/bench.mjs): statistics, verdicts, option parsing and
// table formatting. No I/O here, so they are unit-tested in benchStats.test.mjs.

/** The workloads, in table order, with the wall-time target of the runner (runner/plain), if any. */
export const WORKLOADS = [
  { id: 'W0', file: 'w0Startup.mjs', title: 'start-up only (fixed cost)', target: undefined },
  { id: 'W1', file: 'w1Promises.mjs', title: 'promise-heavy, 300,600 awaits', target: 2.0 },
  { id: 'W2', file: 'w2IoMix.mjs', title: '2000 fetch + 2000 readFile', target: 1.3 },
  { id: 'W3', file: 'w3Threadpool.mjs', title: '64 pbkdf2 + 64 gzip 1 MB', target: 1.05 },
  { id: 'W4', file: 'w4TimersSync.mjs', title: 'timers + sync blocks', target: undefined },
  { id: 'W5', file: 'w5PromisesWork.mjs', title: '300,600 awaits + JSON work', target: undefined },
  // Also run with `--no-overhead-limit`: what the limit saves.
  { id: 'W6', file: 'w6NewPlaces.mjs', title: 'promises at new places (readline, loop)', target: undefined, unlimited: true },
];

/** Median of a list of numbers; NaN for an empty list. Does not modify its input. */
export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `value / base`, or NaN when either is missing or the base is not positive. */
export function ratio(value, base) {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base <= 0) return NaN;
  return value / base;
}

/** `PASS` when the ratio is within the target, `MISS` when above it, `–` without a target or ratio. */
export function verdict(r, target) {
  if (target === undefined || !Number.isFinite(r)) return '–';
  // Compare at the printed precision, so a printed "2.00×" never reads as a MISS against 2.0×.
  return Math.round(r * 100) / 100 <= target ? 'PASS' : 'MISS';
}

/** A ratio as printed in the table, e.g. `1.23×`; `–` when unknown. */
export function formatRatio(r) {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '–';
}

/** Seconds with 2 decimals, e.g. `0.15 s`; `–` when unknown. */
export function formatSeconds(ms) {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '–';
}

/** A byte count in B, KB, MB or GB (powers of 1024), e.g. `12.3 MB`; `–` when unknown. */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** An integer with thousands separators, e.g. `1,234,567`; `–` when unknown. */
export function formatCount(n) {
  if (!Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A Markdown table: `header` names the columns, `rows` hold cell strings. Columns are padded so the
 * table also reads well in a terminal. Pipes inside cells are escaped.
 */
export function formatTable(header, rows) {
  const esc = (c) => String(c).replaceAll('|', '\\|');
  const all = [header.map(esc), ...rows.map((r) => r.map(esc))];
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => (r[i] ?? '').length)));
  const line = (r) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(all[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...all.slice(1).map(line)].join('\n');
}

/**
 * Parses the harness's command line. Throws an Error with a one-line message for anything it does
 * not understand, so a typo never silently benchmarks something else.
 */
export function parseBenchArgs(argv) {
  const opts = { runs: 5, only: WORKLOADS.map((w) => w.id), quick: false, clinic: true, floor: false, profile: false, keep: false, node: undefined, cli: undefined, out: undefined };
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`option ${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--runs': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--runs must be a positive integer, got "${v}"`);
        opts.runs = n;
        runsGiven = true;
        break;
      }
      case '--only': {
        const ids = value()
          .split(',')
          .map((s) => s.trim().toUpperCase())
          .filter(Boolean);
        const known = new Set(WORKLOADS.map((w) => w.id));
        const bad = ids.filter((id) => !known.has(id));
        if (bad.length > 0) throw new Error(`--only: unknown workload ${bad.join(', ')} (known: ${[...known].join(', ')})`);
        if (ids.length === 0) throw new Error('--only needs at least one workload, e.g. --only W1,W3');
        opts.only = WORKLOADS.map((w) => w.id).filter((id) => ids.includes(id));
        break;
      }
      case '--quick':
        opts.quick = true;
        break;
      case '--no-clinic':
        opts.clinic = false;
        break;
      case '--floor':
        opts.floor = true;
        break;
      case '--profile':
        opts.profile = true;
        break;
      case '--keep':
        opts.keep = true;
        break;
      case '--node':
        opts.node = value();
        break;
      case '--out':
        opts.out = value();
        break;
      case '--clinic-runs': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--clinic-runs must be a positive integer, got "${v}"`);
        opts.clinicRuns = n;
        break;
      }
      case '--cli':
        opts.cli = value();
        break;
      case '--help':
      case '-h':
        opts.help = true;
        break;
      default:
        throw new Error(`unknown option "${a}" (try --help)`);
    }
  }
  if (opts.clinicRuns === undefined || opts.clinicRuns > opts.runs) opts.clinicRuns = opts.runs;
  // --quick: a fast look, 3 runs and no Clinic unless asked otherwise explicitly.
  if (opts.quick) {
    if (!runsGiven) opts.runs = 3;
    opts.clinic = false;
    opts.clinicRuns = Math.min(opts.clinicRuns, opts.runs);
  }
  return opts;
}

/** The distinct reasons why runs failed, most frequent first, with how often each happened. */
export function errorSummary(runs) {
  const counts = new Map();
  for (const r of runs) {
    if (!r.error) continue;
    // Sizes differ from run to run; the reason is what repeats.
    const reason = r.error.replace(/; output so far .*$/, '');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  if (counts.size === 0) return 'no runs';
  return [...counts].sort((a, b) => b[1] - a[1]).map(([e, n]) => (runs.length > 1 ? `${e} (${n} of ${runs.length})` : e)).join('; ');
}

/** Help text of `npm run bench`. */
export const BENCH_HELP = `Usage: npm run bench -- [options]

Runs each workload in bench/workloads/ with plain node, under the runner
(node dist/cli.js run --trace FILE) and under Clinic.js Bubbleprof (collect only), interleaved,
and prints a Markdown table of medians.

Options:
  --runs N        measured runs per workload and recorder (default 5)
  --only W1,W2    only these workloads (W0 W1 W2 W3 W4 W5 W6)
  --quick         3 runs, no Clinic: a quick look, not a result to publish
  --no-clinic     skip Clinic.js Bubbleprof
  --clinic-runs N measured Clinic runs per workload (default: --runs; Clinic takes minutes on W1)
  --floor         also the floors of any recorder built on Node's hooks (bench/experiments/hookFloor.cjs):
                  empty hooks; a clock read per event; a binary record per event; the same with promise ids
  --node PATH     Node binary that runs the workloads and the CLI (default: the one running this script)
  --cli PATH      the tool's CLI bundle to measure (default dist/cli.js; its runner/ sits beside it)
  --profile       instead of the table: one runner run per workload with --cpu-prof, and a summary
                  of where the script's process spends its time, plus trace records per type
  --keep          keep the trace files and profiles (printed paths)
  --out FILE      also write the table (Markdown) to FILE
  --help          this text`;
