// The shape of the code (issue 23): no import cycle among the tooling's files, no file of code over 400 lines, and
// none over 300 in what ships. scripts/check-structure.js does the reading; it runs as a child, as it runs by hand.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-structure.js');

/** @param {string[]} args */
function runCheck(args) {
  const r = spawnSync(process.execPath, [SCRIPT, '--json', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  let result;
  try {
    result = JSON.parse(r.stdout);
  } catch {
    throw new Error(`check-structure printed no JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return { status: r.status, result };
}

describe('the code of this project', () => {
  test('the tooling (scripts/, test/, bench/) has no import cycle', () => {
    const { result } = runCheck([]);
    // It read the files whose imports once formed a cycle, and the real-n8n suites' entry files.
    for (const file of ['scripts/lib/n8n.js', 'scripts/lib/community-package.js', 'test/e2e/server-mode.js', 'test/queue/queue.js']) {
      expect(result.scanned).toContain(file);
    }
    expect(result.cycles).toEqual([]);
  });

  test('no file of code is over 400 lines, none that ships over 300', () => {
    const { status, result } = runCheck([]);
    expect(result.files).toBeGreaterThan(50);
    expect(result.tooLong).toEqual([]);
    expect(status).toBe(0);
  });
});

describe('scripts/check-structure.js', () => {
  /** @type {string} */
  let dir;
  /** @param {string} rel @param {string} text */
  const write = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const lines = (/** @type {number} */ n) => Array.from({ length: n }, (_, i) => `// line ${i + 1}`).join('\n') + '\n';

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-structure-'));
    // a → b at the top, b → a inside a function (a lazy require); c only names a in a comment and a string.
    write('scripts/lib/a.js', "const b = require('./b');\nmodule.exports = { b };\n");
    write('scripts/lib/b.js', "function later() {\n  return require('./a');\n}\nmodule.exports = { later };\n");
    write('test/c.js', "// require('../scripts/lib/a')\nconst s = \"require('../scripts/lib/a')\";\nmodule.exports = { s };\n");
    write('test/long.js', lines(401));
    write('test/just-fits.js', lines(400));
    write('nodes/Some/long.ts', lines(301));
    write('credentials/Fits.credentials.ts', lines(300));
    write('test/emulator/fixtures/big.js', lines(1000));
    write('examples/not-checked.js', lines(1000));
    write('bench/data.json', `[${'1,\n'.repeat(1000)}1]\n`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('finds a cycle made by a lazy require, not one named in a comment or a string', () => {
    const { status, result } = runCheck(['--root', dir]);
    expect(status).toBe(1);
    expect(result.cycles).toEqual([['scripts/lib/a.js', 'scripts/lib/b.js', 'scripts/lib/a.js']]);
  });

  test('finds the files over their limit (400 lines; 300 for nodes/ and credentials/), not data or fixtures', () => {
    const { result } = runCheck(['--root', dir]);
    expect(result.tooLong).toEqual([
      { file: 'test/long.js', lines: 401, max: 400 },
      { file: 'nodes/Some/long.ts', lines: 301, max: 300 },
    ]);
  });
});
