// @ts-check
'use strict';

/** What `npm run dev` shows of n8n's output (scripts/lib/n8n.js, startN8n with inherit: 'filtered'). */

/**
 * Copies n8n's output line by line, folding what n8n 2.41 prints after an execution whose workflow has parameter
 * issues ("No active execution found" / "There was an error in the post-execution promise" and its stack: n8n looks up
 * a run it has already removed) into one line; the node's own error, printed before it, stays.
 * @param {NodeJS.ReadableStream} from @param {NodeJS.WritableStream} to
 */
function foldNoise(from, to) {
  let folding = false;
  require('node:readline').createInterface({ input: from }).on('line', (/** @type {string} */ line) => {
    if (/There was an error in the post-execution promise|^(Error: )?No active execution found$/.test(line)) {
      if (!folding) to.write('[n8n] (n8n\'s "no active execution" stack after an execution with parameter issues, folded by npm run dev)\n');
      folding = true;
      return;
    }
    if (folding && /^\s+(at |\{|\}|[\w$]+:)|^\s*$|^\S*Error\b/.test(line)) return;
    folding = false;
    to.write(`${line}\n`);
  });
}

module.exports = { foldNoise };
