/** The one-line summary the CLI prints to stderr at the end of a run (also shown by the extension). */
import type { Thread, TraceModel } from '../trace/model';
import { queuedJobIds } from '../trace/poolModel';
import type { ScanCounts } from './traceScan';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How the run ended, in words: `exit 0`, `signal SIGTERM`, `stopped (SIGKILL)`. */
export function describeEnd(exitCode: number | null, signal: string | null, stopped: boolean): string {
  const how = signal ? `signal ${signal}` : `exit ${exitCode ?? '?'}`;
  return stopped ? `stopped, ${how}` : how;
}

/**
 * ` (followed until 2.9 s on main: …)` when the runner stopped following a thread's promises past
 * its overhead limit, else ''. The tasks counted are those started before.
 */
function followStops(threads: readonly Thread[]): string {
  const stopped = threads.filter((t) => t.followStop !== undefined);
  if (stopped.length === 0) return '';
  const where = stopped.map((t) => `${(t.followStop!.ts / 1e6).toFixed(1)} s on ${t.name}`).join(', ');
  const ms = Math.max(...stopped.map((t) => t.followStop!.captureMs));
  return ` (followed until ${where}: stack captures took ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`}; --no-overhead-limit follows all)`;
}

/**
 * `5 recorder hook calls out of stack (2 async operations not recorded)` when the script made
 * async work a few frames from the stack limit, where the recorder's hooks could not do theirs;
 * '' when none did.
 */
function stackCuts(threads: readonly Thread[]): string {
  let cut = 0;
  let lost = 0;
  let unsourced = 0;
  let dropped = 0;
  for (const t of threads) {
    if (!t.stackCuts) continue;
    cut += t.stackCuts.cut;
    lost += t.stackCuts.lost;
    unsourced += t.stackCuts.unsourced;
    dropped += t.stackCuts.dropped;
  }
  if (cut === 0 && dropped === 0) return '';
  const what = [lost > 0 ? `${plural(lost, 'async operation')} not recorded` : '', unsourced > 0 ? `${unsourced} without their own source` : '', dropped > 0 ? `${plural(dropped, 'record')} dropped` : ''].filter(Boolean);
  return `${plural(cut, 'recorder hook call')} out of stack${what.length > 0 ? ` (${what.join(', ')})` : ''}`;
}

/**
 * `counts` (from a scan) replace the model's own async operation, task and error counts.
 * `concurrency-diagram: exit 0 · threads: 1 main, 2 workers, 4 threadpool · 120 async operations ·
 * 3 tasks · 6 pool jobs (4 queued) · trace: /tmp/x.cdtrace`
 */
export function summaryLine(model: TraceModel, tracePath: string, counts?: ScanCounts): string {
  const c = counts ?? { ops: model.ops.size, tasks: model.tasks.size, errors: model.errors.length };
  const threads = [...model.threads.values()];
  const main = threads.filter((t) => t.kind === 'main').length;
  const workers = threads.filter((t) => t.kind === 'worker').length;
  const pool = model.poolThreads.filter(Boolean).length;
  const jobs = [...model.poolJobs.values()];
  const queued = queuedJobIds(jobs).size;
  const end = model.end ? describeEnd(model.end.exitCode, model.end.signal, model.end.stopped === true) : 'no end record';
  const parts = [
    end,
    `threads: ${main} main, ${plural(workers, 'worker')}, ${pool} threadpool`,
    plural(c.ops, 'async operation'),
    plural(c.tasks, 'task') + followStops(threads),
    `${plural(jobs.length, 'pool job')} (${queued} queued)`,
  ];
  if (c.errors > 0) parts.push(plural(c.errors, 'error'));
  const cuts = stackCuts(threads);
  if (cuts) parts.push(cuts);
  parts.push(`trace: ${tracePath}`);
  return `concurrency-diagram: ${parts.join(' · ')}`;
}
