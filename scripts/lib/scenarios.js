// @ts-check
'use strict';

/**
 * The scenarios of a real-n8n suite (test/e2e/server-mode.js, test/queue/queue.js): one file per scenario, listed
 * in the suite's entry file, run in that order. A scenario is a module exporting at least
 *
 *   name   what `--only` calls it (one word, unique in its suite)
 *   about  one line for `--list`
 *   run    async (ctx) => its checks (scripts/lib/checks.js); it may return an async function, run after every
 *          other scenario of the same run (a check that needs time to pass, such as "nothing more happens")
 *
 * and whatever its suite's runner reads besides (workflows to import, emulators of its own; see the runner).
 *
 *   --only a,b   runs the scenarios named (repeatable); the suite's set-up runs only what they need
 *   --list       prints the names and what each checks, then exits
 */

const { fail } = require('./checks');

/**
 * @typedef {{ name: string, about: string, run: (ctx: any) => Promise<unknown> }} Scenario
 */

/** A mistake on the command line: said on stderr, exit status 2. @param {string} msg @returns {never} */
function usageError(msg) {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
}

/**
 * The scenarios to run, in list order: all, or those named by `--only` (taken out of `argv`).
 * `--list` prints them and exits; an unknown name exits with status 2.
 * @template {Scenario} S @param {string[]} argv @param {S[]} all @param {string} suite @returns {S[]}
 */
function selectScenarios(argv, all, suite) {
  const names = all.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`${suite}: two scenarios are called "${dup}"`);
  if (argv.includes('--list')) {
    for (const s of all) process.stdout.write(`${s.name.padEnd(16)} ${s.about}\n`);
    process.exit(0);
  }
  /** @type {string[]} */
  const only = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') {
      const v = argv[i + 1];
      if (!v || v.startsWith('--')) usageError(`--only needs a scenario name: ${names.join(', ')}`);
      only.push(...v.split(','));
      argv.splice(i--, 2);
    } else if (argv[i].startsWith('--only=')) {
      only.push(...argv[i].slice('--only='.length).split(','));
      argv.splice(i--, 1);
    }
  }
  const wanted = only.map((n) => n.trim()).filter(Boolean);
  const unknown = wanted.filter((n) => !names.includes(n));
  if (unknown.length > 0) usageError(`${suite}: no scenario ${unknown.join(', ')}; there are ${names.join(', ')}`);
  return wanted.length === 0 ? all : all.filter((s) => wanted.includes(s.name));
}

/**
 * Runs scenarios in order, then the functions they returned (in the same order). A scenario that throws outside its
 * checks is recorded as a failure named after it, and the next one runs.
 * @param {string} suite @param {Scenario[]} scenarios @param {any} ctx
 */
async function runScenarios(suite, scenarios, ctx) {
  /** @type {{ name: string, after: () => Promise<unknown> }[]} */
  const later = [];
  const failed = (/** @type {string} */ name, /** @type {unknown} */ e) =>
    fail(`${suite} ${name}`, e instanceof Error ? e.stack || e.message : String(e));
  for (const s of scenarios) {
    try {
      const after = await s.run(ctx);
      if (typeof after === 'function') later.push({ name: s.name, after: /** @type {() => Promise<unknown>} */ (after) });
    } catch (e) {
      failed(s.name, e);
    }
  }
  for (const { name, after } of later) {
    try {
      await after();
    } catch (e) {
      failed(name, e);
    }
  }
}

module.exports = { selectScenarios, runScenarios };
