import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCRIPT_ENV_VAR, cliLaunchEnvironment, scriptEnvironment } from './scriptEnv';

test('a launcher moves the start-up variables aside, and the CLI gives them back to the script', () => {
  const user = { PATH: '/bin', NODE_OPTIONS: '--inspect --require "a b.js"', NODE_EXTRA_CA_CERTS: '/c/ca.pem', OTHER: 'x' };
  const cli = cliLaunchEnvironment(user);
  assert.equal(cli.NODE_OPTIONS, undefined);
  assert.equal(cli.NODE_EXTRA_CA_CERTS, undefined);
  assert.equal(cli.PATH, '/bin');
  assert.equal(cli.OTHER, 'x');
  assert.deepEqual(scriptEnvironment(cli), user);
  // The launcher's input is not changed.
  assert.equal(user.NODE_OPTIONS, '--inspect --require "a b.js"');
});

test('variables unset for the script stay unset, even when the CLI itself has them', () => {
  const cli: NodeJS.ProcessEnv = { ...cliLaunchEnvironment({ PATH: '/bin' }), NODE_OPTIONS: '--title=cli', NODE_EXTRA_CA_CERTS: '/cli.pem' };
  assert.deepEqual(JSON.parse(cli[SCRIPT_ENV_VAR]!), {});
  assert.deepEqual(scriptEnvironment(cli), { PATH: '/bin' });
});

test('started without a launcher (npx), the CLI passes its own environment on', () => {
  const env = { PATH: '/bin', NODE_OPTIONS: '--title=x' };
  assert.deepEqual(scriptEnvironment(env), env);
});

test('a value that is not a JSON object of strings is named', () => {
  for (const bad of ['', 'nope', '[]', 'null', '{"NODE_OPTIONS":1}']) {
    assert.throws(() => scriptEnvironment({ [SCRIPT_ENV_VAR]: bad }), new RegExp(`^Error: ${SCRIPT_ENV_VAR} must be a JSON object of variable names to strings, not `), bad);
  }
});
