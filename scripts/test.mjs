// Runs the test suites with Node's test runner. `node scripts/test.mjs [group...]` where group is
// unit | runner | webview | extension | e2e (default: all). Builds dist/ first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Run the tests with the machine's own Node, so that the default leg of the runner's version matrix
// really is the Node on the user's PATH, even when something (an older checkout's node22/node24
// packages) linked another `node` into node_modules/.bin, which `npm test` puts first on PATH.
if (process.execPath.includes(`${sep}node_modules${sep}`) && !process.env.CD_TEST_OWN_NODE) {
  const PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.includes(`node_modules${sep}.bin`))
    .join(delimiter);
  const r = spawnSync('node', [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PATH, CD_TEST_OWN_NODE: '1' },
  });
  if (!r.error) process.exit(r.status ?? 1);
}
console.log(`tests run with Node ${process.version} (${process.execPath})`);

const groups = process.argv.slice(2);
const want = (g) => groups.length === 0 || groups.includes(g);

function find(dir, out = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    if (n === 'node_modules' || n === 'fixtures' || n === 'output') continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) find(p, out);
    else if (/\.test\.(ts|mts|js|mjs)$/.test(n)) out.push(p);
  }
  return out;
}

/** Which group a test file belongs to, by folder. */
function groupOf(file) {
  const f = file.replaceAll('\\', '/');
  if (f.startsWith('test/e2e/')) return 'e2e';
  if (f.startsWith('test/extension/')) return 'extension';
  if (f.startsWith('test/webview/')) return 'webview';
  if (f.startsWith('test/runner/')) return 'runner';
  return 'unit';
}

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// The runner fixtures also run on Node 22, 24 and 26, npm packages for Linux x64 kept in a folder of
// their own (in the root package they would link a second `node` into node_modules/.bin).
if (want('runner') && process.platform === 'linux' && process.arch === 'x64') {
  const dir = join('test', 'nodeVersions');
  const missing = ['node22', 'node24', 'node26'].filter((n) => !existsSync(join(dir, 'node_modules', n, 'bin', 'node')));
  if (missing.length > 0) {
    console.log(`installing ${missing.join(' and ')} for the runner tests (npm ci --prefix ${dir})`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['ci', '--prefix', dir, '--no-audit', '--no-fund'], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`could not install Node 22, 24 and 26 for the runner tests (npm ci --prefix ${dir} failed)`);
      // On CI the version matrix is part of the job; elsewhere the tests run on this Node alone.
      if (process.env.CI) process.exit(1);
    }
  }
}

const files = [...find('src'), ...find('webview'), ...find('bench'), ...find('test')].filter((f) => want(groupOf(f))).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
