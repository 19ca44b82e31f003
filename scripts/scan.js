// @ts-check
'use strict';

/**
 * `npm run scan`: n8n's community-package scan, offline, on what would be published.
 *
 * n8n verifies a community package with `npx @n8n/scan-community-package <name>` (scanner/scanner.mjs,
 * analyzePackageByName): it checks the version's npm provenance, downloads the source the provenance attests and the
 * published tarball, and lints both with `analyzePackage` (@n8n/eslint-plugin-community-nodes recommended, the three
 * rulesets of eslint-plugin-n8n-nodes-base, no-console):
 *   - the source, on SOURCE_FILE_PATTERNS (package.json, nodes/ and credentials/): what `n8n-node lint` covers;
 *   - the tarball, on its compiled `.js` files and package.json.
 * This script runs the same `analyzePackage` of the same scanner (the pinned devDependency) on the same two file sets,
 * before anything is published: the source tree here, and the tarball `npm pack` makes of it, unpacked into a
 * temporary folder. The online half (provenance, downloads) needs a published version and is what the publish
 * workflow's npm provenance is for.
 *
 * It prints each leg's findings and exits 1 on any, or when a leg lints nothing it should (no node or credential file
 * in the source, a tarball without the built node: an unbuilt tree cannot pass). `npm run scan` builds first.
 *
 *   node scripts/scan.js [--source DIR] [--tarball-dir DIR]   (defaults: this repository, and npm pack of it)
 *
 * The module exports scanSource, scanTarball and packAndUnpack for test/release.test.js.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = path.resolve(__dirname, '..');
const SCANNER_PACKAGE = '@n8n/scan-community-package';
/** What n8n's scan lints in the tarball (analyzePackageByName's second leg). */
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

/** @typedef {{ passed: boolean, message?: string, details?: string }} AnalysisResult */
/** @typedef {{ leg: string, dir: string, files: string[], result: AnalysisResult, problems: string[] }} LegReport */

/** The pinned scanner's module (ESM, loaded from CommonJS). */
async function loadScanner() {
	// eslint-plugin-n8n-nodes-base reads file names differently when NODE_ENV is "test" (its own rule tests), which
	// turns every node file into a finding; n8n's scan runs without it, and so does this one (also under jest).
	if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
	const pkgJson = require.resolve(`${SCANNER_PACKAGE}/package.json`, { paths: [ROOT] });
	const scannerDir = path.dirname(pkgJson);
	const version = JSON.parse(fs.readFileSync(pkgJson, 'utf8')).version;
	const mod = await import(pathToFileURL(path.join(scannerDir, 'scanner', 'scanner.mjs')).href);
	// The file list is computed the way analyzePackage computes it, with the scanner's own fast-glob.
	const glob = require(require.resolve('fast-glob', { paths: [scannerDir] }));
	return { mod, version, glob };
}

/**
 * The files analyzePackage lints in `dir` for `patterns` (relative, sorted).
 * @param {any} glob @param {string} dir @param {string[]} patterns
 */
function filesOf(glob, dir, patterns) {
	return glob
		.sync(patterns, { cwd: dir, ignore: ['node_modules/**', '**/package-lock.json'] })
		.map(String)
		.sort();
}

/**
 * The n8n entry points package.json declares (`n8n.nodes`, `n8n.credentials`).
 * @param {string} dir
 */
function declaredEntries(dir) {
	const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
	return [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])].map((p) => path.posix.normalize(p));
}

/**
 * Lints the source tree as n8n's scan lints the provenance-attested source.
 * @param {string} [dir] @returns {Promise<LegReport>}
 */
async function scanSource(dir = ROOT) {
	const { mod, glob } = await loadScanner();
	const patterns = mod.SOURCE_FILE_PATTERNS;
	const files = filesOf(glob, dir, patterns);
	/** @type {string[]} */
	const problems = [];
	if (!files.includes('package.json')) problems.push('no package.json');
	if (!files.some((f) => /^nodes\/.+\.ts$/.test(f))) problems.push('no node source (nodes/**/*.ts) to lint');
	if (!files.some((f) => /^credentials\/.+\.ts$/.test(f))) problems.push('no credential source (credentials/**/*.ts) to lint');
	const result = await mod.analyzePackage(dir, patterns);
	return { leg: `source (${patterns.join(', ')})`, dir, files, result, problems };
}

/**
 * Lints an unpacked tarball as n8n's scan lints the published one; every n8n entry point package.json declares must
 * be in it.
 * @param {string} dir @returns {Promise<LegReport>}
 */
async function scanTarball(dir) {
	const { mod, glob } = await loadScanner();
	const files = filesOf(glob, dir, TARBALL_FILE_PATTERNS);
	/** @type {string[]} */
	const problems = [];
	const entries = declaredEntries(dir);
	if (entries.length === 0) problems.push('package.json declares no n8n nodes or credentials');
	for (const entry of entries) {
		if (!files.includes(entry)) problems.push(`${entry} (declared in package.json "n8n") is not in the tarball: build first`);
	}
	const result = await mod.analyzePackage(dir, TARBALL_FILE_PATTERNS);
	return { leg: `tarball (${TARBALL_FILE_PATTERNS.join(', ')})`, dir, files, result, problems };
}

/**
 * `npm pack` of `root` into a new temporary folder, unpacked as the scanner unpacks a downloaded tarball
 * (`tar -xzf … --strip-components=1`).
 * @param {string} [root]
 * @returns {{ dir: string, tarball: string, tmp: string, packedFiles: string[] }}
 */
function packAndUnpack(root = ROOT) {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hailuo-scan-'));
	const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	if (pack.status !== 0) throw new Error(`npm pack failed (${pack.status}): ${pack.stderr}`);
	const [info] = JSON.parse(pack.stdout);
	const tarball = path.join(tmp, info.filename);
	const dir = path.join(tmp, 'package');
	fs.mkdirSync(dir);
	const tar = spawnSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], { encoding: 'utf8' });
	if (tar.status !== 0) throw new Error(`tar -xzf ${tarball} failed: ${tar.stderr}`);
	return { dir, tarball, tmp, packedFiles: info.files.map((/** @type {{ path: string }} */ f) => f.path).sort() };
}

/** @param {LegReport} r */
const legPassed = (r) => r.result.passed && r.problems.length === 0;

/** @param {LegReport} r */
function printLeg(r) {
	const ok = legPassed(r);
	process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${r.leg}: ${r.files.length} files linted in ${r.dir}\n`);
	for (const p of r.problems) process.stdout.write(`  - ${p}\n`);
	if (!r.result.passed) {
		process.stdout.write(`  ${r.result.message ?? 'failed'}\n`);
		if (r.result.details) process.stdout.write(`${r.result.details.trimEnd()}\n`);
	}
}

async function main() {
	const argv = process.argv.slice(2);
	const opt = (/** @type {string} */ name) => {
		const i = argv.indexOf(name);
		return i === -1 ? undefined : path.resolve(argv[i + 1]);
	};
	const { version } = await loadScanner();
	const sourceDir = opt('--source') ?? ROOT;
	process.stdout.write(`n8n's community-package scan (${SCANNER_PACKAGE} ${version}, analyzePackage), offline\n`);

	const reports = [await scanSource(sourceDir)];
	let tmp;
	let tarballDir = opt('--tarball-dir');
	if (!tarballDir) {
		const packed = packAndUnpack(sourceDir);
		tmp = packed.tmp;
		tarballDir = packed.dir;
		process.stdout.write(`npm pack: ${path.basename(packed.tarball)}, ${packed.packedFiles.length} files\n`);
	}
	try {
		reports.push(await scanTarball(tarballDir));
	} finally {
		if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
	}
	reports.forEach(printLeg);
	const failed = reports.filter((r) => !legPassed(r)).length;
	process.stdout.write(failed === 0 ? 'scan: no finding in the source or the tarball\n' : `scan: ${failed} of ${reports.length} legs have findings\n`);
	return failed === 0 ? 0 : 1;
}

module.exports = { scanSource, scanTarball, packAndUnpack, TARBALL_FILE_PATTERNS };

if (require.main === module) {
	main().then(
		(code) => process.exit(code),
		(e) => {
			process.stderr.write(`scan failed: ${e instanceof Error ? e.stack : String(e)}\n`);
			process.exit(1);
		},
	);
}
