/** The tool's version, read from the package.json shipped next to `dist/`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

/** Version of the concurrency-diagram package (`0.0.0` when package.json cannot be read). */
export function toolVersion(): string {
  if (cached === undefined) {
    try {
      // dist/cli.js → ../package.json (the bundle's __dirname is dist/).
      cached = String((JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0');
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}
