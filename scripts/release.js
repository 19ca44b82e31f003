// @ts-check
'use strict';

/**
 * `npm run release`: publishes the package, from GitHub Actions only (.github/workflows/publish.yml, on a version
 * tag), with npm provenance.
 *
 *   npm run release                   in GitHub Actions on a tag vX.Y.Z: checks that the tag is `v` + package.json's
 *                                     version and that the package holds exactly what it should, then runs
 *                                     `n8n-node release` (lint, build, `npm publish` with NPM_CONFIG_PROVENANCE=true).
 *                                     Anywhere else it refuses and says how a release is made.
 *   npm run release -- --check-tag [TAG]   only the tag check (TAG defaults to GITHUB_REF_NAME)
 *   npm run release -- --dry-run      what the publish would do, here: `npm publish --dry-run` with provenance off
 *                                     (prepublishOnly runs: the release-mode guard, build, lint), then checks that the
 *                                     packed files are exactly dist/**, README.md, LICENSE and package.json
 *
 * Why not `n8n-node release` directly: outside GitHub Actions it runs release-it (not installed here) and rewrites
 * CHANGELOG.md with auto-changelog, while this project keeps a hand-written Keep a Changelog file. In GitHub Actions
 * it is exactly what runs, after the checks above.
 *
 * Exports the checks for test/release.test.js.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** The files besides dist/ that the package must hold (npm adds package.json, README and LICENSE itself). */
const TOP_LEVEL_FILES = ['LICENSE', 'README.md', 'package.json'];
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?$/;

/** @param {string} [root] */
const readPackage = (root = ROOT) => JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * Whether a tag may publish a version: the tag must be `v` followed by exactly package.json's version.
 * @param {string | undefined} tag @param {string} version
 * @returns {string[]} the problems (none when it may)
 */
function checkTag(tag, version) {
	/** @type {string[]} */
	const problems = [];
	if (!SEMVER.test(version)) problems.push(`package.json's version "${version}" is not a semantic version`);
	if (!tag) problems.push('no tag: a release is published from a version tag (vX.Y.Z)');
	else if (tag !== `v${version}`) {
		problems.push(`the tag ${tag} does not match package.json's version ${version} (expected the tag v${version})`);
	}
	return problems;
}

/** The npm dist-tag a version is published under: `next` for a prerelease (1.1.0-rc.1), else `latest`. @param {string} version */
const distTag = (version) => (SEMVER.exec(version)?.[4] ? 'next' : 'latest');

/**
 * Every file under a folder, relative to `root`, with forward slashes.
 * @param {string} root @param {string} dir @returns {string[]}
 */
function walk(root, dir) {
	const abs = path.join(root, dir);
	if (!fs.existsSync(abs)) return [];
	return fs.readdirSync(abs, { withFileTypes: true }).flatMap((d) => {
		const rel = path.posix.join(dir, d.name);
		return d.isDirectory() ? walk(root, rel) : [rel];
	});
}

/**
 * The source a file in dist/ was built from (tsc output: `X.js`, `X.d.ts`, `X.js.map` from `X.ts`; gulp copies
 * icons/*.svg to dist/icons/ and nodes/**\/*.{json,svg} to dist/nodes/), or null for a file no build step makes.
 * @param {string} distFile e.g. `dist/nodes/Hailuo/models.js`
 * @returns {string | null}
 */
function sourceOf(distFile) {
	const rel = distFile.replace(/^dist\//, '');
	const compiled = /^(.*)\.(?:js|d\.ts|js\.map)$/.exec(rel);
	if (compiled) return `${compiled[1]}.ts`;
	if (/^(?:nodes|credentials)\/.*\.(?:json|svg)$/.test(rel)) return rel;
	if (/^icons\/[^/]+\.svg$/.test(rel)) return rel;
	return null;
}

/**
 * What the packed file list must be: exactly the three top-level files and everything in dist/, where dist/ holds
 * only what the build makes from sources that exist (no stale output of a deleted file) and every n8n entry point
 * package.json declares.
 * @param {string[]} packed paths in the tarball, as `npm pack --json` lists them
 * @param {string} [root]
 * @returns {string[]} the problems (none when the list is right)
 */
function checkPackedFiles(packed, root = ROOT) {
	/** @type {string[]} */
	const problems = [];
	const distFiles = walk(root, 'dist');
	if (distFiles.length === 0) problems.push('dist/ is empty or missing: build first (npm run build)');
	const expected = new Set([...TOP_LEVEL_FILES, ...distFiles]);
	const got = new Set(packed);
	for (const f of [...got].sort()) if (!expected.has(f)) problems.push(`packed but not expected: ${f}`);
	for (const f of [...expected].sort()) if (!got.has(f)) problems.push(`expected but not packed: ${f}`);
	for (const f of distFiles) {
		const src = sourceOf(f);
		if (src === null) problems.push(`${f}: no build step makes this file (remove dist/ and build again)`);
		else if (!fs.existsSync(path.join(root, src))) problems.push(`${f}: stale, its source ${src} is gone (remove dist/ and build again)`);
	}
	const pkg = readPackage(root);
	for (const entry of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
		if (!got.has(path.posix.normalize(entry))) problems.push(`${entry} (package.json "n8n") is not packed`);
	}
	return problems;
}

/**
 * The JSON npm prints with --json after whatever lifecycle scripts printed: from the last line that is a lone `{`.
 * @param {string} stdout
 */
function lastJson(stdout) {
	const start = stdout.lastIndexOf('\n{\n');
	return JSON.parse(start === -1 ? stdout : stdout.slice(start + 1));
}

/**
 * The files of `npm publish --dry-run --json` (npm 11 keys its answer by package name; older npm prints the object).
 * @param {any} json @param {string} name
 * @returns {string[]}
 */
function filesOfPublishJson(json, name) {
	const info = json[name] ?? (Array.isArray(json) ? json[0] : json);
	return info.files.map((/** @type {{ path: string }} */ f) => f.path).sort();
}

/**
 * @param {string} cmd @param {string[]} args @param {NodeJS.ProcessEnv} [env]
 * @param {{ capture?: boolean }} [opts]
 */
function run(cmd, args, env = {}, opts = {}) {
	process.stdout.write(`$ ${[cmd, ...args].join(' ')}\n`);
	const r = spawnSync(cmd, args, {
		cwd: ROOT,
		env: { ...process.env, ...env },
		stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
	});
	if (r.error) throw r.error;
	return r;
}

/** @param {string[]} problems @param {string} what */
function report(problems, what) {
	if (problems.length === 0) {
		process.stdout.write(`ok: ${what}\n`);
		return true;
	}
	process.stdout.write(`refused: ${what}\n${problems.map((p) => `  - ${p}\n`).join('')}`);
	return false;
}

/** `npm publish --dry-run` with provenance off, as the release would publish; checks the packed files. */
function dryRun() {
	const pkg = readPackage();
	const tagArgs = distTag(pkg.version) === 'next' ? ['--tag', 'next'] : [];
	const r = run('npm', ['publish', '--dry-run', '--json', '--provenance=false', ...tagArgs], { RELEASE_MODE: 'true', NPM_CONFIG_PROVENANCE: 'false' }, { capture: true });
	if (r.status !== 0) {
		process.stdout.write(r.stdout);
		process.stdout.write(`refused: npm publish --dry-run exited ${r.status}\n`);
		return 1;
	}
	const files = filesOfPublishJson(lastJson(r.stdout), pkg.name);
	process.stdout.write(`npm publish --dry-run: ${pkg.name}@${pkg.version} (dist-tag ${distTag(pkg.version)}), ${files.length} files\n`);
	return report(checkPackedFiles(files), 'the package holds exactly dist/**, README.md, LICENSE and package.json') ? 0 : 1;
}

/** In GitHub Actions, on a version tag: the checks, then n8n-node release (lint, build, npm publish with provenance). */
function publish() {
	if (process.env.GITHUB_ACTIONS !== 'true') {
		process.stdout.write(
			[
				'refused: a release is published by GitHub Actions (.github/workflows/publish.yml), with npm provenance, not from here.',
				'To release: set the version in package.json and a dated section in CHANGELOG.md, commit, then',
				'  git tag vX.Y.Z && git push origin vX.Y.Z',
				'Check first with `npm run release -- --dry-run` (docs/development.md: Releasing).',
				'',
			].join('\n'),
		);
		return 1;
	}
	const pkg = readPackage();
	const tag = process.env.GITHUB_REF_TYPE === 'tag' ? process.env.GITHUB_REF_NAME : undefined;
	if (!report(checkTag(tag, pkg.version), `tag ${tag ?? '(none)'} publishes ${pkg.name}@${pkg.version}`)) return 1;
	const pack = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {}, { capture: true });
	if (pack.status !== 0) return 1;
	const files = JSON.parse(pack.stdout)[0].files.map((/** @type {{ path: string }} */ f) => f.path).sort();
	if (!report(checkPackedFiles(files), 'the package holds exactly dist/**, README.md, LICENSE and package.json')) return 1;
	// n8n-node release (GITHUB_ACTIONS set): npm run lint, npm run build, npm publish with RELEASE_MODE=true and
	// NPM_CONFIG_PROVENANCE=true. A prerelease goes to the `next` dist-tag, never to `latest`.
	const r = run('n8n-node', ['release'], { npm_config_tag: distTag(pkg.version) });
	return r.status ?? 1;
}

function main() {
	const argv = process.argv.slice(2);
	if (argv.includes('--check-tag')) {
		const i = argv.indexOf('--check-tag');
		const tag = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : process.env.GITHUB_REF_NAME;
		const pkg = readPackage();
		return report(checkTag(tag, pkg.version), `tag ${tag ?? '(none)'} publishes ${pkg.name}@${pkg.version}`) ? 0 : 1;
	}
	if (argv.includes('--dry-run')) return dryRun();
	return publish();
}

module.exports = { checkTag, checkPackedFiles, sourceOf, distTag, lastJson, filesOfPublishJson, TOP_LEVEL_FILES };

if (require.main === module) process.exitCode = main();
