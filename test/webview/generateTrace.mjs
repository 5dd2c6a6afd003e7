// Generates a synthetic but well-formed trace (format v1) of about `spans` bars over `lanes` lanes,
// for the benchmark and the large-trace screenshot: one main thread, three Workers, four pool
// threads with queued and inferred jobs, and async task lanes with running/waiting segments.
// Deterministic (seeded), so runs are comparable.

/** @param {{ spans: number, lanes?: number, seed?: number }} opts @returns {string} */
export function generateTrace({ spans, lanes = 200, seed = 1 }) {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const out = [];
  const pid = 9000;
  const poolSize = 4;
  const workers = 3;
  const taskLanes = Math.max(1, lanes - 1 - workers - poolSize - 1);
  const duration = Math.max(50_000, spans * 10); // µs: 10 µs of run per bar keeps densities realistic
  out.push(JSON.stringify(['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '1000', originWallMs: 1764090000000, writer: 'generateTrace' }]));
  out.push(`["@",${pid},0]`);
  out.push(JSON.stringify(['R', { node: 'v20.20.2', platform: 'linux', arch: 'x64', pid, script: '/bench/app.ts', args: [], cwd: '/bench', threadpoolSize: poolSize, ts: 10 }]));
  out.push(`["T",0,"main","main",${pid},10]`);
  out.push('["F",1,"/bench/app.ts"]', '["F",2,"/bench/lib/worker.ts"]');
  const fns = ['fetchThing', 'hashOne', 'readConfig', 'handleRequest', 'parseRow', 'saveResult', 'loadUser', 'compress'];
  for (let k = 0; k < fns.length; k++) out.push(JSON.stringify(['K', k + 1, [1, 10 + k * 7, 5 + k, fns[k], 1, 90 + k, 3, 'main']]));
  const types = ['Timeout', 'TCPWRAP', 'FSREQCALLBACK', 'GETADDRINFOREQWRAP', 'PBKDF2REQUEST', 'Immediate', 'PROMISE'];
  types.forEach((t, i) => out.push(`["Y",${i + 1},"${t}"]`));

  const budgetTasks = Math.floor(spans * 0.7);
  const budgetJobs = Math.floor(spans * 0.12);
  const budgetOps = spans - budgetTasks - budgetJobs * 2;

  // Main-thread callbacks of async resources, with busy stretches.
  let asyncId = 100;
  const mainOps = Math.floor(budgetOps * 0.6);
  const step = duration / Math.max(1, mainOps);
  const jobOps = [];
  for (let i = 0; i < mainOps; i++) {
    const t = Math.floor(i * step);
    const typeId = 1 + (i % 6);
    const id = asyncId++;
    const created = Math.max(0, t - Math.floor(rnd() * 2000));
    out.push(`["I",${id},${typeId},1,${created},${1 + (i % fns.length)}]`);
    const b = t + 1;
    const a = b + 1 + Math.floor(rnd() * step * 0.6);
    out.push(`["B",${id},${b}]`, `["A",${id},${a}]`, `["D",${id},${a + 1}]`);
    if (typeId === 3 || typeId === 4 || typeId === 5) jobOps.push(id);
  }
  // Async tasks: running/waiting segments, nested in a few levels.
  const perTask = Math.max(2, Math.floor(budgetTasks / taskLanes));
  for (let k = 0; k < taskLanes; k++) {
    const id = k + 1;
    const parent = k < 8 ? 0 : 1 + Math.floor(rnd() * Math.min(k, 30));
    let t = Math.floor(rnd() * duration * 0.05);
    out.push(`["N",${id},${parent},${t},${1 + (k % fns.length)},"${fns[k % fns.length]}"]`);
    const segDur = Math.max(2, Math.floor((duration * 0.9) / perTask));
    for (let j = 1; j < perTask; j++) {
      t += 1 + Math.floor(rnd() * segDur * (j % 2 ? 0.4 : 1.6));
      out.push(`["${j % 2 ? 'W' : 'U'}",${id},${t}]`);
    }
    out.push(`["E",${id},${t + 1},0]`);
  }
  out.push(`["X",0,${duration}]`);
  // Workers: callbacks on their own threads.
  const workerOps = budgetOps - mainOps;
  for (let w = 1; w <= workers; w++) {
    out.push(`["@",${pid},${w}]`, `["T",${w},"worker","worker #${w} worker.ts",${pid + 10 + w},100,"/bench/lib/worker.ts",0]`, '["F",1,"/bench/lib/worker.ts"]', '["K",1,[1,4,3,"crunch"]]', '["Y",1,"MESSAGEPORT"]');
    const n = Math.floor(workerOps / workers);
    const st = duration / Math.max(1, n);
    for (let i = 0; i < n; i++) {
      const t = Math.floor(i * st) + 100;
      const id = i + 10;
      out.push(`["I",${id},1,0,${t},1]`, `["B",${id},${t + 1}]`, `["A",${id},${t + 2 + Math.floor(rnd() * st * 0.7)}]`);
    }
    out.push(`["X",${w},${duration}]`);
  }
  // Pool: jobs placed FIFO on four threads; some queued, some inferred.
  out.push(`["@",${pid},-1]`);
  for (let p = 0; p < poolSize; p++) out.push(`["P",${p},${pid + 1 + p},"node","generated"]`);
  const free = new Array(poolSize).fill(0);
  const jstep = duration / Math.max(1, budgetJobs);
  for (let j = 0; j < budgetJobs; j++) {
    const submit = Math.floor(j * jstep);
    let p = 0;
    for (let q = 1; q < poolSize; q++) if (free[q] < free[p]) p = q;
    const start = Math.max(submit, free[p]) + 1;
    const end = start + 1 + Math.floor(rnd() * jstep * poolSize * 1.1);
    free[p] = end;
    const op = jobOps.length ? jobOps[j % jobOps.length] : -1;
    out.push(`["J",${j + 1},"${types[2 + (j % 3)]}",${submit},${start},${end},${p},${j % 3 === 0 ? 1 : 0},${op < 0 ? -1 : 0},${op}]`);
  }
  out.push(`["Q",${duration + 10},{"exitCode":0,"signal":null}]`);
  return out.join('\n') + '\n';
}
