// The docs say what the code does (issue 32). Read against the built package (dist/, which `npm test` builds first):
// (a) every message docs/troubleshooting.md quotes can be printed by the code; (b) docs/models.md's table is the model
// table, endpoint for endpoint, with each model's display name and list prices; (c) the README's quick start is on its
// first screen and the README stays short; (d) every relative link of the Markdown pages points at a file (and a
// heading) that exists.
//
// (a), how: a message is built at run time from string pieces (`${parameter}: ${problem} (item ${itemIndex})`, with
// 'Prompt' and 'is empty' elsewhere), so a quoted message is matched against the pieces, not against whole strings.
// Every string literal and every literal part of a template literal in dist/**/*.js is a piece. A quoted message,
// its placeholders (`…`, `N`, `X`, `Y`, `<id>`, `<fal's words>`) taken as wildcards, must be a run of whole pieces and
// values (a number, an id, a single word: what fills a `${…}`), joined where pieces end and begin; only next to a
// wildcard may a piece be cut. A sentence the code no longer holds therefore fails, whichever words it shares with
// others. Driving the node into every failure instead would take a scenario per message and still not say which
// message a page quotes.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.join(__dirname, '..');
const read = (/** @type {string} */ rel) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const dist = (/** @type {string} */ rel) => path.join(ROOT, 'dist', rel);

/** @param {string} dir @returns {string[]} */
function filesUnder(dir, ext) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, ext);
    return entry.name.endsWith(ext) ? [full] : [];
  });
}

// ---- the code's pieces of text --------------------------------------------------------------------------------

/** Every string literal and literal part of a template literal in a JavaScript file, as the program sees it. */
function piecesOf(file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  /** @type {string[]} */
  const pieces = [];
  const visit = (/** @type {import('typescript').Node} */ node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) pieces.push(node.text);
    else if (ts.isTemplateExpression(node)) pieces.push(node.head.text, ...node.templateSpans.map((span) => span.literal.text));
    ts.forEachChild(node, visit);
  };
  visit(source);
  // a piece of white space alone says nothing: with it, any words would join into a message
  return pieces.filter((piece) => piece.trim() !== '');
}

const SEP = '\u0001';

/** The code's pieces, as one string in which each piece stands between separators. */
function codeCorpus(files) {
  return `${SEP}${files.flatMap(piecesOf).join(SEP)}${SEP}`;
}

// What fills a `${…}` of a message: a number, an id, a status, a user's value: one token without spaces.
const VALUE = /^[\w.:%+\-/]+$/;
const PLACEHOLDER = /…|<[^<>]+>|\b[NXY]\b/g;
const WILD = '\u0002';

/**
 * Whether `message` can be printed by the code whose pieces make up `corpus`: its placeholders are wildcards, and
 * the text between them a run of whole pieces and values (a piece may be cut only where a wildcard stands).
 */
function printable(message, corpus) {
  const parts = message.replace(PLACEHOLDER, WILD).split(WILD);
  return parts.every((text, i) => {
    if (text === '') return true;
    const startFree = i > 0;
    const endFree = i < parts.length - 1;
    const fits = (segment, from, to) => {
      if (VALUE.test(segment)) return true;
      const cutStart = from === 0 && startFree;
      const cutEnd = to === text.length && endFree;
      return corpus.includes(`${cutStart ? '' : SEP}${segment}${cutEnd ? '' : SEP}`);
    };
    const reached = new Array(text.length + 1).fill(false);
    reached[0] = true;
    for (let from = 0; from < text.length; from++) {
      if (!reached[from]) continue;
      for (let to = from + 1; to <= text.length; to++) {
        const segment = text.slice(from, to);
        // no longer piece holds it if this one is nowhere (a value can still be longer)
        if (!corpus.includes(segment) && !VALUE.test(segment)) break;
        if (fits(segment, from, to)) reached[to] = true;
      }
    }
    return reached[text.length];
  });
}

// ---- Markdown ----------------------------------------------------------------------------------------------------

/** The cells of a Markdown table row (a `|` inside backticks or escaped as `\|` does not split). */
function cells(line) {
  const out = [];
  let cell = '';
  let inCode = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && line[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '`') {
      inCode = !inCode;
      cell += c;
    } else if (c === '|' && !inCode) {
      out.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  out.push(cell.trim());
  return out.slice(1, -1);
}

const isRule = (/** @type {string[]} */ row) => row.length > 0 && row.every((cell) => /^:?-+:?$/.test(cell));

/** The body rows of every table of a page, as cells (not the header rows). */
function tableRows(markdown) {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map(cells)
    .filter((row, i, rows) => !isRule(row) && !(rows[i + 1] && isRule(rows[i + 1])));
}

const codeSpans = (text) => [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]);

/** GitHub's anchor of a heading. */
function slug(heading) {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(markdown) {
  const seen = new Map();
  const anchors = new Set();
  for (const match of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(match[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const withoutFences = (/** @type {string} */ markdown) => markdown.replace(/^```[\s\S]*?^```/gm, '');

/** A page without its fenced code blocks and code spans (a link in code is no link). */
const withoutCode = (/** @type {string} */ markdown) => withoutFences(markdown).replace(/`[^`\n]*`/g, '');

/** Every relative link target of a page (links and images), as written. */
function relativeLinks(markdown) {
  return [...withoutCode(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** The links of `page` (relative to the repository) that point at no file, or at no heading of a Markdown file. */
function brokenLinks(page) {
  const broken = [];
  for (const target of relativeLinks(read(page))) {
    const [file, anchor] = target.split('#');
    const resolved = file === '' ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), decodeURIComponent(file));
    if (!fs.existsSync(resolved)) broken.push(`${target} (no such file)`);
    else if (anchor && resolved.endsWith('.md') && !anchorsOf(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
      broken.push(`${target} (no such heading)`);
    }
  }
  return broken;
}

// ---- the checks ----------------------------------------------------------------------------------------------------

describe('docs/troubleshooting.md quotes messages the code prints', () => {
  const corpus = codeCorpus(filesUnder(dist(''), '.js'));
  const page = read('docs/troubleshooting.md');
  // in its tables, every code span of a row's first cell is a message of the package (n8n's own words are not in code)
  const quoted = tableRows(page).flatMap((row) => codeSpans(row[0] ?? ''));

  test('the page quotes the messages of its table, all of them the code can print', () => {
    expect(quoted.length).toBeGreaterThan(40);
    expect(quoted.filter((message) => !printable(message, corpus))).toEqual([]);
  });

  test('the matcher refuses a message the code no longer prints, and one put together from other messages', () => {
    // the line README's old troubleshooting quoted after a failed run, gone with issue 31
    expect(printable('Other jobs this run submitted, whose videos are in no output: item 0: … (finished; fetch the video with Get Result)', corpus)).toBe(false);
    // real pieces joined where no piece begins: "); fal could not read it either" follows an image's reason, not "is empty"
    expect(printable('Prompt: is empty; fal could not read it either (item N)', corpus)).toBe(false);
    expect(printable('Image URL: could not be read (the host answered HTTP 404); fal could not read it either (item N)', corpus)).toBe(true);
    expect(printable('Prompt: is empty (item N)', corpus)).toBe(true);
    expect(printable('fal does not know the request ID <id>: HTTP 404 from every model\'s queue (item N)', corpus)).toBe(true);
  });
});

describe('docs/models.md is the model table', () => {
  const { MODELS } = require(dist('nodes/shared/models/table.js'));
  const { priceOf } = require(dist('nodes/shared/models/prices.js'));
  const ENDPOINT = /^(fal-ai|minimax)\/[\w.-]+\/[\w./-]+$/;
  const rows = tableRows(read('docs/models.md')).map((row) => row.join(' | '));
  const rowsOf = (endpoint) => rows.filter((row) => codeSpans(row).includes(endpoint));
  /** A price as the page writes it: two decimals at least (0.40), more where it has them (0.045). */
  const written = (usd) => {
    const text = usd.toFixed(2);
    return Number(text) === usd ? text : String(usd);
  };
  const shows = (row, usd) => new RegExp(`(?<![\\d.])${written(usd).replace('.', '\\.')}(?!\\d)`).test(row);

  test.each(MODELS.map((model) => [model.endpoint, model]))('%s: one row, with its name and its list prices', (endpoint, model) => {
    const found = rowsOf(endpoint);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(model.displayName);
    const prices = [...Object.values(model.price.usd), priceOf(model)];
    expect(prices.filter((usd) => !shows(found[0], usd)).map(written)).toEqual([]);
  });

  test('no row names an endpoint the table does not have', () => {
    const named = rows.flatMap((row) => codeSpans(row).filter((span) => ENDPOINT.test(span)));
    const known = new Set(MODELS.map((model) => model.endpoint));
    expect(named.filter((endpoint) => !known.has(endpoint))).toEqual([]);
    expect(new Set(named).size).toBe(MODELS.length);
  });
});

describe('README.md', () => {
  const MAX_LINES = 150;
  const FIRST_SCREEN = 40;
  const lines = read('README.md').split('\n');
  const lineOf = (text) => lines.findIndex((line) => line.includes(text)) + 1;

  test(`is at most ${MAX_LINES} lines`, () => {
    expect(lines.length).toBeLessThanOrEqual(MAX_LINES);
  });

  test.each(['npm install && npm run dev', 'npm install && npm test', '`test-key`'])(
    `says %s within its first ${FIRST_SCREEN} lines (the quick start)`,
    (text) => {
      const at = lineOf(text);
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThanOrEqual(FIRST_SCREEN);
    },
  );
});

describe('links between the pages', () => {
  const pages = ['README.md', 'CONTRIBUTING.md', 'DEVELOPERS.md', 'CHANGELOG.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

  test.each(pages)('every relative link of %s points at a file and heading that exist', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  test('the README links every docs page', () => {
    const linked = new Set(relativeLinks(read('README.md')).map((target) => target.split('#')[0]));
    const docs = pages.filter((page) => page.startsWith('docs/'));
    expect(docs.filter((page) => !linked.has(page))).toEqual([]);
  });

  test('a link to a missing file or heading is found', () => {
    expect(relativeLinks('[a](docs/x.md#y) ![b](pic.png) [c](https://example.com) `[d](e.md)`')).toEqual(['docs/x.md#y', 'pic.png']);
    expect(anchorsOf('# Why 0.2.0 and not `1.0.0`?\n## Costs\n## Costs\n')).toEqual(new Set(['why-020-and-not-100', 'costs', 'costs-1']));
  });
});
