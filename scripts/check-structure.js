#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The shape of the code, checked by test/tooling.test.js (or by hand: `node scripts/check-structure.js`):
 *
 * - no import cycle among the tooling's files (scripts/, test/, bench/): every `require('./…')` or `require('../…')`
 *   with a literal path is followed, lazy ones inside functions too (a lazy require is how a cycle hides);
 * - no file of code over 400 lines in scripts/, test/, bench/, nodes/ and credentials/, and none over 300 lines in
 *   what ships (nodes/, credentials/). JSON (examples, lockfiles, codex) and test/emulator/fixtures/ are data.
 *
 * Prints what it found and exits 1 when anything is wrong. `--root DIR` checks another tree (the test's own
 * fixtures); `--json` prints { files, scanned, cycles, tooLong } instead.
 *
 * The imports are read with TypeScript's own pre-processor (a devDependency), which skips comments and strings.
 */

const fs = require('node:fs');
const path = require('node:path');

/** Folders whose code is tooling (their imports must not form a cycle). */
const TOOLING = ['scripts', 'test', 'bench'];
/** Folders whose code ships in the package. */
const SHIPPED = ['nodes', 'credentials'];
const MAX_LINES = 400;
const MAX_SHIPPED_LINES = 300;
const CODE = /\.(c|m)?(j|t)s$|\.sh$/;
/** Not code: data and fixtures. */
const DATA = [/\.json$/, /\.d\.ts$/, /(^|\/)test\/emulator\/fixtures\//];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);

/** Every file under `dir` (relative to `root`, with `/`), skipping dot-folders and installs. @param {string} root @param {string} dir */
function walk(root, dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  /** @type {string[]} */
  const out = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIP_DIRS.has(entry.name)) out.push(...walk(root, rel));
    } else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** The relative requires of a JavaScript file, as written. @param {string} text @returns {string[]} */
function relativeRequires(text) {
  const ts = require('typescript');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((f) => f.startsWith('./') || f.startsWith('../'));
}

/** The file a relative require resolves to (Node's rules for files and folders), or undefined. @param {string} root @param {string} from @param {string} spec */
function resolve(root, from, spec) {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [base, `${base}.js`, `${base}.cjs`, `${base}/index.js`]) {
    const abs = path.join(root, candidate);
    if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return candidate;
  }
  return undefined;
}

/**
 * The import cycles of a graph, each as a path that ends where it starts (one per strongly connected set of files,
 * found by depth-first search from the files in sorted order).
 * @param {Map<string, string[]>} graph @returns {string[][]}
 */
function findCycles(graph) {
  /** @type {string[][]} */
  const cycles = [];
  /** @type {Map<string, 'open' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const stack = [];
  const seen = new Set();
  /** @param {string} file */
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) || []) {
      if (state.get(next) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join('\n');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

/** @param {string} root */
function check(root) {
  const files = [...TOOLING, ...SHIPPED].flatMap((d) => walk(root, d)).filter((f) => CODE.test(f) && !DATA.some((re) => re.test(f)));
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const file of files.filter((f) => TOOLING.includes(f.split('/')[0]) && /\.(c|m)?js$/.test(f))) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    graph.set(
      file,
      relativeRequires(text)
        .map((spec) => resolve(root, file, spec))
        .filter((f) => f !== undefined),
    );
  }
  /** @type {{ file: string, lines: number, max: number }[]} */
  const tooLong = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    const max = SHIPPED.includes(file.split('/')[0]) ? MAX_SHIPPED_LINES : MAX_LINES;
    if (lines > max) tooLong.push({ file, lines, max });
  }
  return { files: files.length, scanned: [...graph.keys()], cycles: findCycles(graph), tooLong };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--root');
  const root = i >= 0 ? path.resolve(argv[i + 1]) : path.resolve(__dirname, '..');
  const result = check(root);
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(`${result.files} files of code, the requires of ${result.scanned.length} tooling files followed\n`);
    for (const c of result.cycles) process.stdout.write(`import cycle: ${c.join(' → ')}\n`);
    for (const t of result.tooLong) process.stdout.write(`too long: ${t.file} has ${t.lines} lines (at most ${t.max})\n`);
    if (result.cycles.length === 0 && result.tooLong.length === 0) process.stdout.write('no import cycle, no file too long\n');
  }
  process.exitCode = result.cycles.length > 0 || result.tooLong.length > 0 ? 1 : 0;
}

module.exports = { check, findCycles, relativeRequires };
