// Summarises a V8 CPU profile (the `.cpuprofile` JSON written by `node --cpu-prof`): self time per
// function and per origin (the runner's bundle, the workload, Node's internals, GC, idle), so the
// benchmark can say which part of the runner costs what.

/**
 * Which origin a profile node's code belongs to, from its URL and function name.
 * `runnerMarker` is a path fragment of the runner's bundle, e.g. `dist/runner/`.
 */
export function originOf(callFrame, runnerMarker) {
  const url = callFrame.url ?? '';
  const name = callFrame.functionName ?? '';
  if (name === '(garbage collector)') return 'gc';
  if (name === '(idle)') return 'idle';
  if (name === '(program)' || name === '(root)') return 'native';
  if (runnerMarker && url.replaceAll('\\', '/').includes(runnerMarker)) return 'runner';
  if (url.startsWith('node:') || (url === '' && name !== '')) return 'node';
  if (url.includes('/node_modules/')) return 'deps';
  return 'script';
}

/**
 * Self time (ms) per function and per origin. Returns `{ totalMs, byOrigin, top }` where `top` holds
 * the `topN` most expensive functions as `{ name, where, origin, ms }`. `locate(callFrame, origin)`
 * may name a function's place better than `file:line` of the profile (e.g. through a source map).
 */
export function summarizeProfile(profile, { runnerMarker = 'dist/runner/', topN = 15, locate } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  // Each sample's time is the delta to the next sample (V8 stores the delta before each sample).
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000;
    selfMs.set(samples[i], (selfMs.get(samples[i]) ?? 0) + dt);
  }
  const byOrigin = Object.create(null);
  const byFunction = new Map();
  let totalMs = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const cf = node.callFrame;
    const origin = originOf(cf, runnerMarker);
    byOrigin[origin] = (byOrigin[origin] ?? 0) + ms;
    totalMs += ms;
    const file = (cf.url ?? '').split(/[\\/]/).pop() ?? '';
    const where = locate?.(cf, origin) ?? (file ? `${file}:${cf.lineNumber + 1}` : '');
    const key = `${cf.functionName}|${where}`;
    const row = byFunction.get(key) ?? { name: cf.functionName || '(anonymous)', where, origin, ms: 0 };
    row.ms += ms;
    byFunction.set(key, row);
  }
  const top = [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, topN);
  return { totalMs, byOrigin, top };
}
