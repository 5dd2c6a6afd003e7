/**
 * The script's start-up variables, handed to the CLI beside its own environment.
 *
 * Some variables configure Node's own start-up: `NODE_OPTIONS` (e.g. `--inspect`, `--require`) and
 * `NODE_EXTRA_CA_CERTS` (Node 20 parses every root certificate at start-up when it is set, ~85 ms
 * here). They are meant for the user's script, but a Node started with them applies them to itself
 * too: the CLI would open the script's inspector port first, load its preloads, and pay for
 * certificates it never uses before the script even starts. A launcher (the extension, the
 * benchmark) therefore starts the CLI with these variables moved into {@link SCRIPT_ENV_VAR}, a JSON
 * object, and the CLI puts them back in the script's environment. Started any other way (`npx`),
 * the CLI simply passes its own environment on.
 */

/** The variable that carries the script's start-up variables past the CLI's own start. */
export const SCRIPT_ENV_VAR = 'CONCURRENCY_DIAGRAM_SCRIPT_ENV';

/** Variables that Node reads at its own start-up, and which a launcher moves aside. */
export const STARTUP_VARIABLES = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'] as const;

/** For a launcher: the CLI's environment, with the start-up variables moved into {@link SCRIPT_ENV_VAR}. */
export function cliLaunchEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const moved: Record<string, string> = {};
  for (const name of STARTUP_VARIABLES) {
    const value = out[name];
    if (value === undefined) continue;
    moved[name] = value;
    delete out[name];
  }
  // Always set, so the CLI never applies the launcher's own start-up variables to the script.
  out[SCRIPT_ENV_VAR] = JSON.stringify(moved);
  return out;
}

/**
 * For the CLI: the environment the script gets. With {@link SCRIPT_ENV_VAR} set, its start-up
 * variables are exactly the ones it carries (the CLI's own are dropped) and the variable itself is
 * removed. Throws an Error naming the problem when its value is not a JSON object of strings.
 */
export function scriptEnvironment(cliEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...cliEnv };
  const raw = env[SCRIPT_ENV_VAR];
  if (raw === undefined) return env;
  delete env[SCRIPT_ENV_VAR];
  let given: unknown;
  try {
    given = JSON.parse(raw);
  } catch {
    given = undefined;
  }
  const entries = given !== null && typeof given === 'object' && !Array.isArray(given) ? Object.entries(given) : undefined;
  if (!entries || entries.some(([, v]) => typeof v !== 'string')) {
    throw new Error(`${SCRIPT_ENV_VAR} must be a JSON object of variable names to strings, not ${JSON.stringify(raw.slice(0, 80))}`);
  }
  for (const name of STARTUP_VARIABLES) delete env[name];
  for (const [name, value] of entries) env[name] = value as string;
  return env;
}
