// Crashes on purpose: the diagram still shows everything up to the crash, and the error with its
// stack, whose frames lead back to the lines below.
import { setTimeout as sleep } from 'node:timers/promises';

async function loadConfig(name: string): Promise<Record<string, unknown>> {
  await sleep(20);
  throw new Error(`config ${name} is missing`);
}

async function main(): Promise<void> {
  await sleep(10);
  await loadConfig('settings.json');
}

await main();
