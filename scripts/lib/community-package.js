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
 * Used by `npm run dev`, the e2e and the browser tests through scripts/lib/n8n.js, which re-exports it.
 * Needs Node >= 22.5 for `node:sqlite` (the npm scripts run Node 24).
 */

const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const n8n = require('./n8n');

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
 * (n8n-core's PackageDirectoryLoader from the pinned n8n) loads the installed package; a node row is its display
 * name, `<package>.<node name>` and the node's latest version; the package row is name, version and author.
 * Runs in a Node 24 child with n8n's modules on NODE_PATH, as n8n resolves `n8n-workflow` for community packages.
 * @param {string} pkgDir @returns {PackageRecord}
 */
function readPackageRecord(pkgDir) {
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
  const modules = path.join(n8n.RUNTIME, 'node_modules');
  const r = spawnSync(n8n.node24(), ['-e', script, pkgDir], {
    cwd: n8n.RUNTIME,
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

/** @param {string} file @param {string} table */
function tableExists(file, table) {
  if (!fs.existsSync(file)) return false;
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table));
  } finally {
    db.close();
  }
}

/**
 * Makes sure n8n has created its tables in the user folder: they exist only after n8n migrated the database, which
 * every n8n CLI command does first. On a new user folder this runs `n8n list:workflow` (nothing to list) once.
 * @param {string} userFolder @param {NodeJS.ProcessEnv} env
 */
function ensureMigrated(userFolder, env) {
  const { file, prefix } = database(userFolder, env);
  if (tableExists(file, `${prefix}installed_packages`)) return;
  const r = spawnSync(n8n.node24(), [n8n.N8N_BIN, 'list:workflow'], {
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
  const record = readPackageRecord(pkgDir);
  ensureMigrated(userFolder, env);
  const { file, prefix } = database(userFolder, env);
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(file);
  const now = "STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')"; // what n8n's entities write into createdAt / updatedAt on SQLite
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec('BEGIN IMMEDIATE');
    db.prepare(`DELETE FROM "${prefix}installed_nodes" WHERE "package" = ?`).run(record.packageName);
    db.prepare(`DELETE FROM "${prefix}installed_packages" WHERE "packageName" = ?`).run(record.packageName);
    db.prepare(
      `INSERT INTO "${prefix}installed_packages" ("packageName", "installedVersion", "authorName", "authorEmail", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ${now}, ${now})`,
    ).run(record.packageName, record.installedVersion, record.authorName, record.authorEmail);
    const node = db.prepare(
      `INSERT INTO "${prefix}installed_nodes" ("name", "type", "latestVersion", "package") VALUES (?, ?, ?, ?)`,
    );
    for (const n of record.nodes) node.run(n.name, n.type, n.latestVersion, record.packageName);
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  } finally {
    db.close();
  }
  return record;
}

/**
 * The packages recorded in a user folder's database, with their nodes (what Settings → Community Nodes lists).
 * @param {string} userFolder @param {NodeJS.ProcessEnv} [env] @returns {PackageRecord[]}
 */
function installedPackages(userFolder, env = process.env) {
  const { file, prefix } = database(userFolder, env);
  if (!tableExists(file, `${prefix}installed_packages`)) return [];
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const nodes = db.prepare(`SELECT "name", "type", "latestVersion" FROM "${prefix}installed_nodes" WHERE "package" = ?`);
    return db
      .prepare(`SELECT "packageName", "installedVersion", "authorName", "authorEmail" FROM "${prefix}installed_packages"`)
      .all()
      .map((p) => /** @type {PackageRecord} */ ({ ...p, nodes: nodes.all(p.packageName).map((n) => ({ ...n })) }));
  } finally {
    db.close();
  }
}

/**
 * Builds (optional), packs, installs and records the package in a user folder, copies the sample images where the
 * examples read them, and makes sure n8n is installed. On a new user folder the record costs one n8n boot (the
 * database migration, which the first n8n command would otherwise do).
 * @param {{ userFolder: string, scratch: string, build?: boolean, env?: NodeJS.ProcessEnv }} o
 * @returns {{ tarball: string, pkgDir: string, filesDir: string, record: PackageRecord }}
 */
function packAndInstall({ userFolder, scratch, build = true, env }) {
  if (build) n8n.buildPackage();
  n8n.ensureN8nInstalled();
  const tarball = packPackage(scratch);
  const pkgDir = installPackageInto(tarball, userFolder);
  const record = recordInstalledPackage({ userFolder, pkgDir, ...(env ? { env } : {}) });
  return { tarball, pkgDir, filesDir: n8n.prepareFilesDir(userFolder), record };
}

module.exports = {
  packPackage,
  installPackageInto,
  readPackageRecord,
  recordInstalledPackage,
  installedPackages,
  packAndInstall,
};
