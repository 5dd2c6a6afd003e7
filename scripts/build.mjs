// Builds every bundle into dist/ with esbuild. `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Node bundles: the extension host, the CLI, and the runner injected into the user's process. */
const nodeEntries = [
  { in: 'src/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/runner/preload.ts', out: 'runner/preload' },
  { in: 'src/runner/esmHooks.ts', out: 'runner/esmHooks' },
  { in: 'src/runner/typescript.ts', out: 'runner/typescript' },
  // The extension-host test suite, loaded by the code-server harness through extensionTestsPath.
  { in: 'test/extension/suite/index.ts', out: 'index', outdir: 'test/extension/suite', external: ['vscode'] },
];

/** Browser bundles: the diagram page (webview and standalone report). */
const webEntries = [{ in: 'webview/main.ts', out: 'webview/main' }];

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const contexts = [];
for (const e of nodeEntries) {
  if (!existsSync(e.in)) continue;
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: [{ in: e.in, out: e.out }],
      outdir: e.outdir ?? 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node18',
      external: e.external ?? [],
      banner: e.banner ? { js: e.banner } : undefined,
    }),
  );
}
for (const e of webEntries) {
  if (!existsSync(e.in)) continue;
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: [{ in: e.in, out: e.out }],
      outdir: 'dist',
      platform: 'browser',
      format: 'iife',
      target: 'es2020',
      loader: { '.css': 'css' },
    }),
  );
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  // The package's `bin`: `npx concurrency-diagram` in a clone runs it through its #! line.
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
