// @ts-check
'use strict';

/**
 * The package in an n8n user folder as Settings → Community Nodes leaves it (n8n 2.41.1's CommunityPackagesService):
 *
 * - the `npm pack` tarball unpacked into `.n8n/nodes/node_modules/n8n-nodes-hailuo` (`downloadPackage`),
 * - listed in `.n8n/nodes/package.json` (n8n's ledger of installed packages),
 * - recorded in the user folder's database, tables `installed_packages` and `installed_nodes`
 *   (`InstalledPackagesRepository.persistPackageWithNodes`): Settings → Community Nodes lists only what is recorded
 *   there. n8n loads the package from the folder either way.
 *
 * The third layer of the tooling (./n8n.js explains the order): built on ./runtime.js and ./n8n.js (the n8n whose
 * loader and CLI are used) and ./examples.js (the sample images), used by `npm run dev` and the real-n8n tests.
 * The n8n whose loader and CLI are used is the environment's runtime (./runtime.js: N8N_VERSION, default 2.41.1);
 * n8n 1.123 records the same rows in the same tables (`saveInstalledPackageWithNodes`; its `latestVersion` column is
 * an INTEGER where 2.41's is REAL). The database is written with `node:sqlite` (Node >= 22.5): in this process when
 * it has it, else in a child on the project's Node 24, so a script running on Node 20 can record too.
 */

const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const n8n = require('./n8n');
const { prepareFilesDir } = require('./examples');

/** `npm run build` in the project. */
function buildPackage() {
  n8n.run('npm', ['run', 'build']);
}

/**
 * `npm pack` of the project into `destDir`; returns the tarball path. What `files` in package.json leaves out is
 * missing from it, as it would be for a user.
 * @param {string} destDir @returns {string}
 */
function packPackage(destDir) {
  fs.mkdirSync(destDir, { recursive: true });
  const r = n8n.run('npm', ['pack', '--json', '--pack-destination', destDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const out = String(r.stdout);
  const info = JSON.parse(out.slice(out.indexOf('[')));
  return path.join(destDir, info[0].filename);
}

/**
 * Installs a packed tarball into `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-hailuo`, the way n8n 2.41's
 * community package service does (CommunityPackagesService.downloadPackage): untar, drop dev/peer/optional
 * dependencies from its package.json, `npm install` its own dependencies with scripts off, record it in
 * `.n8n/nodes/package.json`. The database record is recordInstalledPackage's job.
 * @param {string} tarball @param {string} userFolder @returns {string} the package directory
 */
function installPackageInto(tarball, userFolder) {
  const nodesDir = path.join(userFolder, '.n8n', 'nodes');
  const pkgDir = path.join(nodesDir, 'node_modules', n8n.PACKAGE_NAME);
  fs.rmSync(pkgDir, { recursive: true, force: true });
  fs.mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  const pkgJsonPath = path.join(pkgDir, 'package.json');
  const { devDependencies, peerDependencies, optionalDependencies, ...pkg } = JSON.parse(
    fs.readFileSync(pkgJsonPath, 'utf8'),
  );
  fs.writeFileSync(pkgJsonPath, JSON.stringify(pkg, null, 2));
  if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
    n8n.run(
      'npm',
      [
        'install',
        '--audit=false',
        '--fund=false',
        '--bin-links=false',
        '--install-strategy=shallow',
        '--ignore-scripts=true',
        '--package-lock=false',
      ],
      { cwd: pkgDir },
    );
  }
  const nodesPkgPath = path.join(nodesDir, 'package.json');
  const nodesPkg = fs.existsSync(nodesPkgPath)
    ? JSON.parse(fs.readFileSync(nodesPkgPath, 'utf8'))
    : { name: 'installed-nodes', private: true, dependencies: {} };
  nodesPkg.dependencies = { ...(nodesPkg.dependencies || {}), [n8n.PACKAGE_NAME]: pkg.version };
  fs.writeFileSync(nodesPkgPath, JSON.stringify(nodesPkg, null, 2));
  return pkgDir;
}

/**
 * @typedef {{ packageName: string, installedVersion: string, authorName: string | null, authorEmail: string | null,
 *   nodes: { name: string, type: string, latestVersion: number }[] }} PackageRecord
 */

/**
 * The rows n8n records for an installed package, computed the way n8n computes them: its own package loader
 * (n8n-core's PackageDirectoryLoader from the runtime's n8n) loads the installed package; a node row is its display
 * name, `<package>.<node name>` and the node's latest version; the package row is name, version and author.
 * Runs in a child on the runtime's Node with n8n's modules on NODE_PATH, as n8n resolves `n8n-workflow` for
 * community packages.
 * @param {string} pkgDir @param {import('./runtime').Runtime} [rt] @returns {PackageRecord}
 */
function readPackageRecord(pkgDir, rt = n8n.DEFAULT_RUNTIME) {
  const script = `
    const { PackageDirectoryLoader } = require('n8n-core');
    (async () => {
      const loader = new PackageDirectoryLoader(process.argv[1]);
      await loader.loadAll();
      const { name, version, author } = loader.packageJson;
      const nodes = loader.loadedNodes.map((n) => ({
        name: loader.nodeTypes[n.name].type.description.displayName,
        type: name + '.' + n.name,
        latestVersion: n.version,
      }));
      const record = { packageName: name, installedVersion: version, authorName: author?.name ?? null,
        authorEmail: author?.email ?? null, nodes };
      process.stdout.write('\\nRECORD ' + JSON.stringify(record) + '\\n');
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const modules = rt.nodeModules;
  const r = spawnSync(rt.node, ['-e', script, pkgDir], {
    cwd: rt.dir,
    env: { ...process.env, NODE_PATH: modules, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = String(r.stdout || '').split('\n').find((l) => l.startsWith('RECORD '));
  if (r.status !== 0 || !line) {
    throw new Error(`n8n's package loader could not load ${pkgDir} (exit ${r.status}):\n${r.stderr}`);
  }
  return JSON.parse(line.slice('RECORD '.length));
}

/** The user folder's SQLite file and table prefix, as n8n derives them. @param {string} userFolder @param {NodeJS.ProcessEnv} env */
function database(userFolder, env) {
  return {
    file: env.DB_SQLITE_DATABASE || path.join(userFolder, '.n8n', 'database.sqlite'),
    prefix: env.DB_TABLE_PREFIX || '',
  };
}

/**
 * @typedef {{ sql: string, params?: (string | number | null)[], rows?: boolean }} Statement
 *   one SQL statement; with `rows` its result rows are returned
 */

/** `node:sqlite` when this Node has it (>= 22.5), else undefined. @returns {any} */
function nodeSqlite() {
  try {
    return require('node:sqlite');
  } catch {
    return undefined;
  }
}

/**
 * Runs statements on an SQLite file in one transaction (or read-only, no transaction) and returns the rows of those
 * that ask for them. With `node:sqlite` in this process, here; otherwise in a child on the project's Node 24 (this
 * file run as a script), so that the scripts work when the caller runs on Node 20.
 * @param {string} file @param {Statement[]} statements @param {{ readOnly?: boolean }} [o] @returns {any[][]}
 */
function sqlite(file, statements, { readOnly = false } = {}) {
  const lib = nodeSqlite();
  if (!lib) {
    const r = spawnSync(n8n.node24(), [__filename, '--sqlite'], {
      input: JSON.stringify({ file, statements, readOnly }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`SQLite on ${file} failed (Node 24 child, exit ${r.status}):\n${r.stderr}`);
    return JSON.parse(r.stdout);
  }
  const db = new lib.DatabaseSync(file, readOnly ? { readOnly: true } : {});
  try {
    if (readOnly) return statements.map((st) => (st.rows ? db.prepare(st.sql).all(...(st.params || [])).map((/** @type {any} */ row) => ({ ...row })) : []));
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec('BEGIN IMMEDIATE');
    try {
      /** @type {any[][]} */
      const out = [];
      for (const st of statements) {
        const stmt = db.prepare(st.sql);
        if (st.rows) out.push(stmt.all(...(st.params || [])).map((/** @type {any} */ row) => ({ ...row })));
        else {
          stmt.run(...(st.params || []));
          out.push([]);
        }
      }
      db.exec('COMMIT');
      return out;
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  } finally {
    db.close();
  }
}

/** @param {string} file @param {string} table */
function tableExists(file, table) {
  if (!fs.existsSync(file)) return false;
  const [rows] = sqlite(file, [{ sql: "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", params: [table], rows: true }], {
    readOnly: true,
  });
  return rows.length > 0;
}

/**
 * Makes sure n8n has created its tables in the user folder: they exist only after n8n migrated the database, which
 * every n8n CLI command does first. On a new user folder this runs `n8n list:workflow` (nothing to list) once.
 * @param {string} userFolder @param {NodeJS.ProcessEnv} env
 */
function ensureMigrated(userFolder, env) {
  const { file, prefix } = database(userFolder, env);
  if (tableExists(file, `${prefix}installed_packages`)) return;
  const rt = n8n.runtimeOf(env);
  const r = spawnSync(rt.node, [rt.n8nBin, 'list:workflow'], {
    cwd: userFolder,
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status !== 0 || !tableExists(file, `${prefix}installed_packages`)) {
    throw new Error(`n8n did not migrate ${file} (n8n list:workflow exited ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/**
 * Records the package installed in `pkgDir` in the user folder's database as n8n's Settings → Community Nodes
 * install does (an earlier record of the package is replaced, as n8n's update does). n8n must not be running on
 * that user folder.
 * @param {{ userFolder: string, pkgDir: string, env?: NodeJS.ProcessEnv }} o @returns {PackageRecord}
 */
function recordInstalledPackage({ userFolder, pkgDir, env = n8n.n8nEnv({ userFolder, logLevel: 'warn' }) }) {
  const record = readPackageRecord(pkgDir, n8n.runtimeOf(env));
  ensureMigrated(userFolder, env);
  const { file, prefix } = database(userFolder, env);
  const now = "STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')"; // what n8n's entities write into createdAt / updatedAt on SQLite
  sqlite(file, [
    { sql: `DELETE FROM "${prefix}installed_nodes" WHERE "package" = ?`, params: [record.packageName] },
    { sql: `DELETE FROM "${prefix}installed_packages" WHERE "packageName" = ?`, params: [record.packageName] },
    {
      sql: `INSERT INTO "${prefix}installed_packages" ("packageName", "installedVersion", "authorName", "authorEmail", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ${now}, ${now})`,
      params: [record.packageName, record.installedVersion, record.authorName, record.authorEmail],
    },
    ...record.nodes.map((n) => ({
      sql: `INSERT INTO "${prefix}installed_nodes" ("name", "type", "latestVersion", "package") VALUES (?, ?, ?, ?)`,
      params: [n.name, n.type, n.latestVersion, record.packageName],
    })),
  ]);
  return record;
}

/**
 * The packages recorded in a user folder's database, with their nodes (what Settings → Community Nodes lists).
 * @param {string} userFolder @param {NodeJS.ProcessEnv} [env] @returns {PackageRecord[]}
 */
function installedPackages(userFolder, env = process.env) {
  const { file, prefix } = database(userFolder, env);
  if (!tableExists(file, `${prefix}installed_packages`)) return [];
  const [packages, nodes] = sqlite(
    file,
    [
      { sql: `SELECT "packageName", "installedVersion", "authorName", "authorEmail" FROM "${prefix}installed_packages"`, rows: true },
      { sql: `SELECT "name", "type", "latestVersion", "package" FROM "${prefix}installed_nodes"`, rows: true },
    ],
    { readOnly: true },
  );
  return packages.map((p) => /** @type {PackageRecord} */ ({
    ...p,
    nodes: nodes.filter((n) => n.package === p.packageName).map(({ package: _, ...n }) => n),
  }));
}

/**
 * Builds (optional), packs, installs and records the package in a user folder, copies the sample images where the
 * examples read them, and makes sure n8n is installed. On a new user folder the record costs one n8n boot (the
 * database migration, which the first n8n command would otherwise do).
 * @param {{ userFolder: string, scratch: string, build?: boolean, env?: NodeJS.ProcessEnv }} o
 * @returns {{ tarball: string, pkgDir: string, filesDir: string, record: PackageRecord }}
 */
function packAndInstall({ userFolder, scratch, build = true, env }) {
  if (build) buildPackage();
  n8n.ensureN8nInstalled(env ? n8n.runtimeOf(env) : n8n.DEFAULT_RUNTIME);
  const tarball = packPackage(scratch);
  const pkgDir = installPackageInto(tarball, userFolder);
  const record = recordInstalledPackage({ userFolder, pkgDir, ...(env ? { env } : {}) });
  return { tarball, pkgDir, filesDir: prepareFilesDir(userFolder), record };
}

// `node community-package.js --sqlite` (stdin: { file, statements, readOnly }): sqlite() in a Node 24 child.
if (require.main === module && process.argv[2] === '--sqlite') {
  const { file, statements, readOnly } = JSON.parse(fs.readFileSync(0, 'utf8'));
  process.stdout.write(JSON.stringify(sqlite(file, statements, { readOnly })));
}

module.exports = {
  buildPackage,
  packPackage,
  installPackageInto,
  readPackageRecord,
  recordInstalledPackage,
  installedPackages,
  packAndInstall,
};
