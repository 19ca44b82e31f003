// @ts-check
'use strict';

/**
 * Which n8n, on which Node: the n8n versions the project tests against and how each one is run.
 *
 * Every pinned n8n has its own folder under scripts/ (package.json + package-lock.json): `scripts/n8n-runtime/` is
 * the default line (2.41.1), `scripts/n8n-runtime-1.x/` the 1.x line (1.123.x). scripts/install-n8n.sh installs one
 * of them into its own git-ignored folder (`.n8n-runtime/`, `.n8n-runtime-1.123/`); this file says which folder,
 * which n8n binary, which Node binary and which environment differences go with a version:
 *
 * |                      | n8n 2.x                               | n8n 1.x                                       |
 * |----------------------|---------------------------------------|-----------------------------------------------|
 * | Node                 | the project's Node 24 (`node` devDep) | the machine's `node` when n8n's engines allow it (Node 20–24), else Node 24 |
 * | N8N_DISABLED_MODULES | `mcp-registry` (no internet here)     | unset: n8n 1.123 refuses to start on a module it does not have |
 * | activate a workflow  | `publish:workflow --id=ID`            | `update:workflow --id=ID --active=true`       |
 * | deactivate           | `unpublish:workflow --id=ID`          | `update:workflow --id=ID --active=false`      |
 * | N8N_EXPRESSION_ENGINE | n8n's default (`vm`)                 | `legacy` on Node 20: 1.123.80+ default to `vm`, whose isolated-vm 6 has no Node 20 build |
 * | N8N_DEFAULT_BINARY_DATA_MODE | n8n's default (`filesystem`)  | `filesystem` (1.x's default keeps binaries in memory) |
 *
 * The version is chosen by `N8N_VERSION` (`1.123.x`, `1.123`, `1.x`, `1`, `2.41.1`, … or an exact pinned version);
 * unset means the default line. Only pinned versions can be chosen: the lockfile is what makes an install
 * reproducible. `N8N_NODE=/path/to/node` picks the Node binary for a 1.x runtime (it must satisfy n8n's engines).
 *
 *   const { resolveRuntime } = require('./runtime');
 *   const rt = resolveRuntime('1.123.x');   // or resolveRuntime() for N8N_VERSION / the default
 *   spawn(rt.node, [rt.n8nBin, ...rt.activateArgs(workflowId)], { env: { ...env, PATH: rt.path() } });
 *
 * CLI (used by scripts/install-n8n.sh): `node scripts/lib/runtime.js [version]` prints shell assignments
 * (N8N_EXACT_VERSION, N8N_SRC, N8N_RUNTIME, N8N_NODE_BIN, N8N_NODE_VERSION); `--json` prints the runtime as JSON;
 * `--list` prints the pinned versions.
 *
 * Plain CommonJS that Node 20 runs too; no dependencies beyond Node itself.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = path.join(ROOT, 'scripts');
/** The folder of the default line's pinned package set. */
const DEFAULT_SRC = path.join(SCRIPTS, 'n8n-runtime');

/**
 * @typedef {{
 *   version: string, major: number, minor: number, isDefault: boolean,
 *   srcDir: string, dir: string, n8nBin: string, nodeModules: string,
 *   engines: string,
 *   node: string, nodeVersion: string,
 *   env: Record<string, string>, unsetEnv: string[],
 *   path: (basePath?: string) => string,
 *   activateArgs: (id: string) => string[],
 *   deactivateArgs: (id: string) => string[],
 *   describe: () => string,
 * }} Runtime
 */

/** @param {string} file */
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/**
 * The pinned n8n versions: one per `scripts/n8n-runtime*` folder, read from its package.json.
 * @returns {{ version: string, srcDir: string, isDefault: boolean }[]}
 */
function pinnedVersions() {
  return fs
    .readdirSync(SCRIPTS, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^n8n-runtime(-.+)?$/.test(d.name))
    .map((d) => path.join(SCRIPTS, d.name))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'package-lock.json')))
    .map((srcDir) => ({ version: String(readJson(path.join(srcDir, 'package.json')).dependencies.n8n), srcDir, isDefault: srcDir === DEFAULT_SRC }))
    .sort((a, b) => compareVersions(b.version, a.version));
}

/** @param {string} v @returns {number[]} */
const parts = (v) => v.replace(/^v/, '').split('-')[0].split('.').map(Number);

/** @param {string} a @param {string} b */
function compareVersions(a, b) {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
}

/**
 * Whether `version` satisfies an npm engines range made of comparators (`>=20.19 <= 24.x`, `>=24.0.0`, `^20 || >=22`).
 * Enough for n8n's `engines.node`; an unknown form counts as satisfied.
 * @param {string} version @param {string} range
 */
function satisfies(version, range) {
  return range.split('||').some((alt) => {
    const tokens = alt.replace(/([<>=^~]+)\s+/g, '$1').trim().split(/\s+/).filter(Boolean);
    return tokens.every((tok) => {
      const m = /^(>=|<=|>|<|=|\^|~)?v?([\dx*]+(?:\.[\dx*]+)*)$/.exec(tok);
      if (!m) return true;
      const op = m[1] || '=';
      const segs = m[2].split('.');
      const wild = segs.findIndex((s) => s === 'x' || s === '*');
      const fixed = (wild === -1 ? segs : segs.slice(0, wild)).map(Number);
      const v = parts(version);
      const cmpPrefix = () => {
        for (let i = 0; i < fixed.length; i++) if ((v[i] || 0) !== fixed[i]) return (v[i] || 0) - fixed[i];
        return 0;
      };
      // Compared on the segments given: `<= 24.x` (or `<= 24`) is every 24.*, `>= 20.19` every 20.19.*.
      const c = cmpPrefix();
      switch (op) {
        case '>=': return c >= 0;
        case '>': return c > 0;
        case '<=': return c <= 0;
        case '<': return c < 0;
        case '^': return v[0] === fixed[0] && c >= 0;
        case '~': return v[0] === fixed[0] && (fixed.length < 2 || v[1] === fixed[1]) && c >= 0;
        default: return c === 0;
      }
    });
  });
}

/**
 * The pinned version a spec names: an exact version, or a prefix with or without `.x` (`1.123.x`, `1.123`, `1.x`,
 * `1`). Empty means the default line.
 * @param {string | undefined} spec
 */
function pick(spec) {
  const pinned = pinnedVersions();
  const s = String(spec || '').trim().replace(/^n8n@/, '').replace(/^v/, '');
  if (!s || s === 'default' || s === 'latest') {
    const d = pinned.find((p) => p.isDefault);
    if (!d) throw new Error(`no pinned n8n in ${path.relative(ROOT, DEFAULT_SRC)}`);
    return d;
  }
  const want = s.split('.').filter((x) => x !== 'x' && x !== '*');
  const hit = pinned.find((p) => {
    const have = p.version.split('.');
    return want.length > 0 && want.every((w, i) => have[i] === w);
  });
  if (!hit) {
    throw new Error(
      `n8n ${s} is not pinned here; pinned: ${pinned.map((p) => p.version).join(', ')} (scripts/n8n-runtime*/package.json)`,
    );
  }
  return hit;
}

/** @type {Map<string, { version: string, abi: string } | null>} */
const nodeInfoCache = new Map();
/** The version (`20.20.2`) and module ABI (`115`) of a Node binary, or null when it does not run. @param {string} bin */
function nodeInfo(bin) {
  if (bin === process.execPath) return { version: process.versions.node, abi: process.versions.modules };
  if (!nodeInfoCache.has(bin)) {
    const r = spawnSync(bin, ['-p', 'process.versions.node + " " + process.versions.modules'], { encoding: 'utf8', timeout: 15_000 });
    const [version, abi] = String(r.stdout || '').trim().split(' ');
    nodeInfoCache.set(bin, r.status === 0 && version && abi ? { version, abi } : null);
  }
  return nodeInfoCache.get(bin) ?? null;
}
/** @param {string} bin */
const nodeVersionOf = (bin) => nodeInfo(bin)?.version ?? null;

/**
 * Whether n8n's `vm` expression engine can load in a runtime on a Node ABI. n8n 1.123.80+ evaluates expressions in
 * isolated-vm by default (N8N_EXPRESSION_ENGINE=vm); isolated-vm 6 ships builds for Node 22 and 24 only and does not
 * compile against Node 20 (it needs Node >= 22), so on Node 20 n8n exits at start ("Could not initialize the vm
 * expression engine") unless N8N_EXPRESSION_ENGINE=legacy. True when the runtime has no isolated-vm at all.
 * @param {string} nodeModules @param {string} abi
 */
function vmEngineLoads(nodeModules, abi) {
  const ivm = path.join(nodeModules, 'isolated-vm');
  if (!fs.existsSync(path.join(ivm, 'package.json'))) return true;
  const prebuilds = path.join(ivm, 'prebuilds', `${process.platform}-${process.arch}`);
  const hasPrebuild = fs.existsSync(prebuilds) && fs.readdirSync(prebuilds).some((f) => f.includes(`.abi${abi}.`));
  const built = path.join(ivm, 'build', 'Release');
  const hasBuild = fs.existsSync(built) && fs.readdirSync(built).some((f) => f.endsWith('.node'));
  return hasPrebuild || hasBuild;
}

/** The project's Node 24: this process when it is Node ≥ 24, else the `node` devDependency. */
function node24() {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  const local = path.join(ROOT, 'node_modules', '.bin', 'node');
  if (fs.existsSync(local)) return local;
  throw new Error('Node >= 24 is needed for n8n 2.x: run `npm ci` (the `node` devDependency provides it)');
}

/**
 * The machine's own `node`: the first on PATH outside the project's node_modules (npm scripts put the project's
 * Node 24 first; npm's own node-gyp-bin is skipped too). Undefined when there is none.
 * @param {string} [searchPath]
 */
function machineNode(searchPath = process.env.PATH || '') {
  const projectModules = path.join(ROOT, 'node_modules');
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir || path.resolve(dir).startsWith(projectModules) || /node-gyp-bin/.test(dir)) continue;
    const bin = path.join(dir, 'node');
    try {
      fs.accessSync(bin, fs.constants.X_OK);
      if (fs.statSync(bin).isFile()) return fs.realpathSync(bin);
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * The Node binary a runtime runs on. n8n 2.x: the project's Node 24. n8n 1.x: `N8N_NODE` when set, else the
 * machine's `node` when n8n's engines range allows it (so the Node 20/22 promise is tested, not assumed), else
 * Node 24 (which 1.123 allows too).
 * @param {number} major @param {string} engines @param {NodeJS.ProcessEnv} env
 * @returns {{ node: string, nodeVersion: string }}
 */
function chooseNode(major, engines, env) {
  if (major >= 2) {
    const bin = node24();
    return { node: bin, nodeVersion: /** @type {string} */ (nodeVersionOf(bin)) };
  }
  if (env.N8N_NODE) {
    const v = nodeVersionOf(env.N8N_NODE);
    if (!v) throw new Error(`N8N_NODE=${env.N8N_NODE} does not run`);
    if (!satisfies(v, engines)) throw new Error(`N8N_NODE is Node ${v}; this n8n needs Node ${engines}`);
    return { node: env.N8N_NODE, nodeVersion: v };
  }
  const machine = machineNode(env.PATH);
  const mv = machine ? nodeVersionOf(machine) : null;
  if (machine && mv && satisfies(mv, engines)) return { node: machine, nodeVersion: mv };
  const bin = node24();
  return { node: bin, nodeVersion: /** @type {string} */ (nodeVersionOf(bin)) };
}

/** @type {Map<string, Runtime>} */
const cache = new Map();

/**
 * The runtime of a pinned n8n version.
 * @param {string} [spec] a version or prefix (`1.123.x`); default: `env.N8N_VERSION`, else the default line
 * @param {NodeJS.ProcessEnv} [env] where N8N_VERSION, N8N_NODE, N8N_RUNTIME_DIR and PATH are read
 * @returns {Runtime}
 */
function resolveRuntime(spec, env = process.env) {
  const chosen = pick(spec || env.N8N_VERSION);
  const key = `${chosen.version}\0${env.N8N_NODE || ''}\0${env.N8N_RUNTIME_DIR || ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const [major, minor] = parts(chosen.version);
  const lock = readJson(path.join(chosen.srcDir, 'package-lock.json'));
  const engines = String(lock.packages?.['node_modules/n8n']?.engines?.node || (major >= 2 ? '>=24' : '>=20.19 <=24.x'));
  const dir = env.N8N_RUNTIME_DIR
    ? path.resolve(env.N8N_RUNTIME_DIR)
    : path.join(ROOT, chosen.isDefault ? '.n8n-runtime' : `.n8n-runtime-${major}.${minor}`);
  const nodeModules = path.join(dir, 'node_modules');
  // The Node binary is looked up on first use: requiring this file (or scripts/lib/n8n.js) never fails for it.
  /** @type {{ node: string, nodeVersion: string } | undefined} */
  let chosenNode;
  const nodeOf = () => (chosenNode ??= chooseNode(major, engines, env));
  /** n8n settings this runtime needs, beyond what every run sets (scripts/lib/n8n.js n8nEnv). */
  const runtimeEnv = () => {
    /** @type {Record<string, string>} */
    const e = {};
    // n8n 2.x refreshes an MCP server catalogue from n8n's servers on start (no internet here); 1.x has no such
    // module and refuses to start when N8N_DISABLED_MODULES names one it does not know.
    if (major >= 2) e.N8N_DISABLED_MODULES = 'mcp-registry';
    // n8n 1.x keeps binary data in memory (in the execution) unless told otherwise; 2.x writes it to disk by
    // default. Videos belong on disk, as self-hosters of 1.x configure it; test/e2e/e2e.js also runs 1.x's default.
    else e.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
    const abi = nodeInfo(nodeOf().node)?.abi;
    if (abi && !vmEngineLoads(nodeModules, abi)) e.N8N_EXPRESSION_ENGINE = 'legacy';
    return e;
  };
  /** @type {Runtime} */
  const rt = {
    version: chosen.version,
    major,
    minor,
    isDefault: chosen.isDefault,
    srcDir: chosen.srcDir,
    dir,
    nodeModules,
    n8nBin: path.join(nodeModules, 'n8n', 'bin', 'n8n'),
    engines,
    get node() {
      return nodeOf().node;
    },
    get nodeVersion() {
      return nodeOf().nodeVersion;
    },
    get env() {
      return runtimeEnv();
    },
    unsetEnv: major >= 2 ? [] : ['N8N_DISABLED_MODULES'],
    // n8n spawns `node` from PATH (the task runner): the runtime's Node goes first.
    path: (basePath = env.PATH || '') => [path.dirname(nodeOf().node), basePath].join(path.delimiter),
    activateArgs: (id) => (major >= 2 ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true']),
    deactivateArgs: (id) =>
      major >= 2 ? ['unpublish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=false'],
    describe: () => {
      const legacy = runtimeEnv().N8N_EXPRESSION_ENGINE === 'legacy' ? ', legacy expression engine' : '';
      return `n8n ${chosen.version} on Node ${nodeOf().nodeVersion} (${nodeOf().node}${legacy})`;
    },
  };
  cache.set(key, rt);
  return rt;
}

/**
 * The runtime an n8n environment (from scripts/lib/n8n.js `n8nEnv`) was made for: its N8N_VERSION, else the default.
 * @param {NodeJS.ProcessEnv} [env]
 */
function runtimeOf(env = process.env) {
  return resolveRuntime(env.N8N_VERSION, env);
}

/**
 * The `--n8n <version>` (or `--n8n=<version>`) argument of a script's command line, removed from `argv`.
 * @param {string[]} argv @returns {string | undefined}
 */
function takeN8nArg(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--n8n') {
      const v = argv[i + 1];
      if (!v || v.startsWith('--')) throw new Error('--n8n needs a version, e.g. --n8n 1.123.x');
      argv.splice(i, 2);
      return v;
    }
    if (argv[i].startsWith('--n8n=')) return argv.splice(i, 1)[0].slice('--n8n='.length);
  }
  return undefined;
}

module.exports = {
  ROOT,
  pinnedVersions,
  resolveRuntime,
  runtimeOf,
  takeN8nArg,
  node24,
  machineNode,
  satisfies,
  compareVersions,
};

if (require.main === module) {
  const argv = process.argv.slice(2);
  try {
    if (argv.includes('--list')) {
      for (const p of pinnedVersions()) process.stdout.write(`${p.version}${p.isDefault ? ' (default)' : ''}\n`);
    } else {
      const rt = resolveRuntime(argv.find((a) => !a.startsWith('--')));
      if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(rt, null, 2)}\n`);
      else {
        const q = (/** @type {string} */ s) => `'${s.replace(/'/g, `'\\''`)}'`;
        process.stdout.write(
          [
            `N8N_EXACT_VERSION=${q(rt.version)}`,
            `N8N_SRC=${q(rt.srcDir)}`,
            `N8N_RUNTIME=${q(rt.dir)}`,
            `N8N_NODE_BIN=${q(rt.node)}`,
            `N8N_NODE_VERSION=${q(rt.nodeVersion)}`,
            `N8N_ENGINES=${q(rt.engines)}`,
          ].join('\n') + '\n',
        );
      }
    }
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}
