// Never ends on its own: use Stop (the panel button, the status bar item or "Concurrency Diagram:
// Stop") to end it. The diagram fills live while it runs, and keeps everything up to the stop.
import { pbkdf2 } from 'node:crypto';

let round = 0;
setInterval(() => {
  round++;
  pbkdf2(`round ${round}`, 'salt', 10_000, 32, 'sha256', () => {});
}, 100);

// Keeps the process alive as a server would.
console.log('running until stopped…');
