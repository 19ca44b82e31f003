// @ts-check
'use strict';

/**
 * The tiny test runner of the e2e and browser tests: named checks, one line each, and a last line
 * `N passed, N failed` (the exit code is non-zero on any failure, or when nothing ran).
 */

/** @type {{ name: string, ok: boolean, detail?: string }[]} */
const results = [];

/** @param {unknown} cond @param {string} msg @returns {asserts cond} */
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * Runs one named check; a thrown error fails it. Resolves to whether it passed.
 * @param {string} name @param {() => unknown | Promise<unknown>} fn @returns {Promise<boolean>}
 */
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    process.stdout.write(`ok    ${name}\n`);
    return true;
  } catch (e) {
    fail(name, e instanceof Error ? e.message : String(e));
    return false;
  }
}

/** Records a failure that happened outside a check (set-up). @param {string} name @param {string} detail */
function fail(name, detail) {
  results.push({ name, ok: false, detail });
  process.stdout.write(`FAIL  ${name}\n      ${detail.split('\n').join('\n      ')}\n`);
}

const allPassed = () => results.length > 0 && results.every((r) => r.ok);

/**
 * Runs `main`, then prints the summary line and sets the exit code.
 * @param {string} label @param {() => Promise<void>} main
 */
function runChecks(label, main) {
  main()
    .catch((e) => fail(`${label} set-up`, e instanceof Error ? e.stack || e.message : String(e)))
    .finally(() => {
      const passed = results.filter((r) => r.ok).length;
      const failed = results.length - passed;
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
      process.exitCode = allPassed() ? 0 : 1;
    });
}

module.exports = { assert, check, fail, allPassed, runChecks };
