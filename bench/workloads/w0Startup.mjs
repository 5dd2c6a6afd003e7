// W0 — start-up only: a script that prints one line and ends. Its ratio is the fixed cost of running
// under a recorder (starting the CLI, the preload, writing and reading back the trace), which the
// short workloads also pay.
console.log('W0 started=1');
