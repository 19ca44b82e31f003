// @ts-check
'use strict';

/** What `npm run dev` shows of n8n's output (scripts/lib/n8n.js, startN8n with inherit: 'filtered'). */

/** A line of a stack that is being folded: `at …`, an object printed with it, a blank line, a cause's `…Error`. */
const STACK_LINE = /^\s+(at |\{|\}|[\w$]+:)|^\s*$|^\S*Error\b/;

/**
 * n8n's stacks that `npm run dev` folds into one line each:
 * - n8n 2.41 after an execution whose workflow has parameter issues: "No active execution found" / "There was an
 *   error in the post-execution promise" and its stack (n8n looks up a run it has already removed);
 * - a request n8n made that failed (n8n's error reporter logs the AxiosError's stack), e.g. a credential Test with a
 *   wrong key: `Request failed with status code 401`, then `AxiosError: Request failed …` and 14 lines of `at …`.
 *   The message n8n gives first ("Authorization failed - please check your credentials") stays.
 * @type {{ start: RegExp, line: (m: RegExpMatchArray) => string }[]}
 */
const FOLDS = [
  {
    start: /There was an error in the post-execution promise|^(Error: )?No active execution found$/,
    line: () => '[n8n] (n8n\'s "no active execution" stack after an execution with parameter issues, folded by npm run dev)',
  },
  {
    start: /^AxiosError: (.*)$/,
    line: (m) => `[n8n] ${m[1]} (n8n's stack of that failed request, folded by npm run dev)`,
  },
];

/**
 * The error reporter prints an AxiosError as its message, then its stack, which repeats the message: the message line
 * waits (at most HOLD_MS) for the stack's first line, and goes into the folded line when it comes.
 */
const HELD = /^Request failed with status code \d+$/;
const HOLD_MS = 300;

/**
 * Copies n8n's output line by line, folding the stacks of FOLDS into one line each; other lines pass unchanged.
 * @param {NodeJS.ReadableStream} from @param {NodeJS.WritableStream} to
 */
function foldNoise(from, to) {
  let folding = false;
  /** @type {string | undefined} */
  let held;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const release = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (held !== undefined) to.write(`${held}\n`);
    held = undefined;
  };
  const lines = require('node:readline').createInterface({ input: from });
  lines.on('line', (/** @type {string} */ line) => {
    for (const fold of FOLDS) {
      const m = line.match(fold.start);
      if (!m) continue;
      if (held !== undefined && !(m[1] !== undefined && held === m[1])) release();
      if (timer) clearTimeout(timer);
      held = timer = undefined;
      if (!folding) to.write(`${fold.line(m)}\n`);
      folding = true;
      return;
    }
    if (folding && STACK_LINE.test(line)) return;
    folding = false;
    release();
    if (HELD.test(line)) {
      held = line;
      timer = setTimeout(release, HOLD_MS);
      timer.unref();
      return;
    }
    to.write(`${line}\n`);
  });
  lines.on('close', release);
}

module.exports = { foldNoise };
