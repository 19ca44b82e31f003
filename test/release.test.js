// Release readiness (issue 25): the two GitHub workflows (actionlint, and their structure read with a YAML parser),
// the release script's checks (tag against version, the packed file list) and n8n's community-package scan
// (scripts/scan.js: the scanner's analyzePackage on the source and the npm pack tarball). Each check is also run on
// a broken copy, to show that it fails.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const YAML = require('yaml');
const { checkTag, checkPackedFiles, sourceOf, distTag, lastJson, filesOfPublishJson } = require('../scripts/release');

const ROOT = path.join(__dirname, '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const readWorkflow = (name) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, name), 'utf8'));
const clone = (x) => JSON.parse(JSON.stringify(x));

/** A child `node` process (the scanner is ESM and actionlint a Go wasm runtime: both run outside jest's sandbox). */
function node(args, opts = {}) {
	const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000, ...opts });
	return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** GitHub's filter pattern for tags: `*` is any run of characters but `/`. */
const tagFilter = (pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

const steps = (job) => job.steps ?? [];
const runs = (job) => steps(job).map((s) => s.run ?? '').join('\n');
/** Every `npm run <script>` (and `npm test`) in a workflow's run steps. */
function npmScriptsOf(doc) {
	const text = Object.values(doc.jobs ?? {}).map(runs).join('\n');
	const names = [...text.matchAll(/\bnpm run ([\w:.-]+)/g)].map((m) => m[1]);
	if (/\bnpm test\b/.test(text)) names.push('test');
	return names;
}
/** Every `uses:` of a workflow (steps and reusable-workflow jobs). */
const usesOf = (doc) =>
	Object.values(doc.jobs ?? {}).flatMap((job) => [job.uses, ...steps(job).map((s) => s.uses)]).filter(Boolean);

/** What ci.yml must do; returns the problems. */
function ciProblems(doc) {
	const p = [];
	const on = doc.on ?? {};
	if (!on.push?.branches?.includes('main')) p.push('not run on pushes to main');
	if (!('pull_request' in on)) p.push('not run on pull requests');
	if (!('workflow_call' in on)) p.push('publish.yml cannot call it (no workflow_call)');
	if (JSON.stringify(doc.permissions) !== JSON.stringify({ contents: 'read' })) p.push('permissions are not just contents: read');
	const checks = doc.jobs?.checks;
	const nodes = checks?.strategy?.matrix?.node ?? [];
	if (JSON.stringify([...nodes].map(String).sort()) !== JSON.stringify(['20', '22', '24'])) p.push(`Node matrix is ${JSON.stringify(nodes)}, not 20, 22, 24`);
	const setup = steps(checks ?? {}).find((s) => String(s.uses).startsWith('actions/setup-node@'));
	if (setup?.with?.['node-version'] !== '${{ matrix.node }}') p.push('setup-node does not take the matrix Node version');
	const text = runs(checks ?? {});
	for (const cmd of ['npm ci', 'npm run build', 'npm run lint', 'npm test', 'npm run scan', 'npm run lint:workflows', 'npm run release -- --dry-run']) {
		if (!text.split('\n').some((l) => l.trim() === cmd)) p.push(`checks job does not run \`${cmd}\``);
	}
	const e2e = steps(checks ?? {}).find((s) => /test\/e2e\/e2e\.js .*--n8n 1\.123\.x/.test(s.run ?? ''));
	if (!e2e) p.push('checks job does not run the n8n 1.123 end-to-end tests');
	else if (!/matrix\.node != 20/.test(String(e2e.if))) p.push('the n8n 1.123 step does not leave Node 20 to the real-n8n job');
	const real = doc.jobs?.['real-n8n'];
	if (!/^node:20-bookworm$/.test(String(real?.container?.image ?? real?.container))) p.push('real-n8n does not run in Debian 12 with Node 20');
	if (!runs(real ?? {}).split('\n').some((l) => l.trim() === 'bash .ci/run')) p.push('real-n8n does not run bash .ci/run');
	return p;
}

/** What publish.yml must do; returns the problems. */
function publishProblems(doc) {
	const p = [];
	const on = doc.on ?? {};
	if (JSON.stringify(Object.keys(on)) !== '["push"]' || JSON.stringify(Object.keys(on.push ?? {})) !== '["tags"]') {
		p.push(`triggers are ${JSON.stringify(on)}, not only pushed tags`);
	}
	const filters = (on.push?.tags ?? []).map(tagFilter);
	const matches = (tag) => filters.some((re) => re.test(tag));
	for (const tag of ['v1.0.0', 'v1.2.3', 'v1.3.0-rc.1']) if (!matches(tag)) p.push(`tag ${tag} does not trigger it`);
	for (const tag of ['1.0.0', 'v1', 'v1.2', 'latest', 'release/v1.0.0']) if (matches(tag)) p.push(`tag ${tag} triggers it`);
	if (JSON.stringify(doc.permissions) !== JSON.stringify({ contents: 'read' })) p.push('top-level permissions are not just contents: read');
	const { version, checks, publish } = doc.jobs ?? {};
	const tagStep = steps(version ?? {}).find((s) => /scripts\/release\.js --check-tag/.test(s.run ?? ''));
	if (!tagStep) p.push('no tag-against-version step');
	else if (!/\$\{\{\s*github\.ref_name\s*\}\}/.test(JSON.stringify(tagStep.env ?? {})) && !/github\.ref_name/.test(tagStep.run)) {
		p.push('the tag check is not given the pushed tag (github.ref_name)');
	}
	if (checks?.uses !== './.github/workflows/ci.yml') p.push('the checks job does not run ci.yml');
	const needs = [].concat(publish?.needs ?? []);
	for (const j of ['version', 'checks']) if (!needs.includes(j)) p.push(`publish does not need ${j}`);
	if (publish?.permissions?.['id-token'] !== 'write') p.push('publish has no id-token: write (no provenance, no trusted publishing)');
	if (publish?.permissions?.contents !== 'read') p.push('publish may write contents');
	const names = steps(publish ?? {}).map((s) => s.run ?? s.uses ?? '');
	const at = (re) => names.findIndex((n) => re.test(n));
	const release = at(/(^|\n)\s*npm run release\s*(\n|$)/);
	const order = [/^npm ci$/, /^npm run build$/, /^npm run lint$/, /^npm run scan$/].map(at);
	if (release === -1) p.push('publish does not run npm run release');
	else if (order.some((i) => i === -1 || i > release)) p.push('install, build, lint and scan do not all run before the release step');
	const setup = steps(publish ?? {}).find((s) => String(s.uses).startsWith('actions/setup-node@'));
	if (String(setup?.with?.['node-version']) !== '24') p.push('publish does not use Node 24 (npm 11 for trusted publishing)');
	const relStep = steps(publish ?? {}).find((s) => /npm run release/.test(s.run ?? ''));
	if (!/secrets\.NPM_TOKEN/.test(JSON.stringify(relStep?.env ?? {}))) p.push('no NPM_TOKEN fallback');
	return p;
}

describe('GitHub workflows', () => {
	const ci = readWorkflow('ci.yml');
	const publish = readWorkflow('publish.yml');

	test('actionlint finds nothing in ci.yml and publish.yml', () => {
		const r = node(['scripts/lint-workflows.js']);
		expect(r.out).toContain('.github/workflows/ci.yml: no finding');
		expect(r.out).toContain('.github/workflows/publish.yml: no finding');
		expect(r.status).toBe(0);
	});

	test('actionlint fails a broken workflow', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hailuo-actionlint-'));
		try {
			const broken = fs
				.readFileSync(path.join(WORKFLOWS, 'publish.yml'), 'utf8')
				.replace(/^(\s+)id-token: write$/m, '$1id-token: writ')
				.replace("tags: ['v*.*.*']", "tagz: ['v*.*.*']")
				.replace('TAG: ${{ github.ref_name }}', 'TAG: ${{ matrix.tag }}');
			const file = path.join(dir, 'publish.yml');
			fs.writeFileSync(file, broken);
			const r = node(['scripts/lint-workflows.js', file]);
			expect(r.status).toBe(1);
			expect(r.out).toMatch(/"writ" is invalid for permission of scope "id-token"/);
			expect(r.out).toMatch(/unexpected key "tagz" for "push" section/);
			expect(r.out).toMatch(/property "tag" is not defined/);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	test('ci.yml: main and pull requests, callable, read-only, Node 20/22/24, every check of .ci/run', () => {
		expect(ciProblems(ci)).toEqual([]);
	});

	test('publish.yml: only v*.*.* tags, tag = version, CI first, id-token: write, npm run release', () => {
		expect(publishProblems(publish)).toEqual([]);
	});

	test('the structure checks catch a broken workflow', () => {
		const c = clone(ci);
		c.jobs.checks.strategy.matrix.node = [20, 24];
		c.jobs.checks.steps = c.jobs.checks.steps.filter((s) => s.run !== 'npm run scan');
		delete c.on.workflow_call;
		expect(ciProblems(c)).toEqual([
			'publish.yml cannot call it (no workflow_call)',
			'Node matrix is [20,24], not 20, 22, 24',
			'checks job does not run `npm run scan`',
		]);

		const p = clone(publish);
		p.on.push.tags = ['*'];
		delete p.jobs.publish.permissions['id-token'];
		p.jobs.publish.needs = ['checks'];
		p.jobs.version.steps = p.jobs.version.steps.filter((s) => !/--check-tag/.test(s.run ?? ''));
		expect(publishProblems(p)).toEqual(
			expect.arrayContaining([
				'tag 1.0.0 triggers it',
				'tag latest triggers it',
				'no tag-against-version step',
				'publish does not need version',
				'publish has no id-token: write (no provenance, no trusted publishing)',
			]),
		);
		const q = clone(publish);
		const steps = q.jobs.publish.steps;
		steps.push(steps.splice(steps.findIndex((s) => s.run === 'npm run scan'), 1)[0]);
		expect(publishProblems(q)).toEqual(['install, build, lint and scan do not all run before the release step']);
	});

	test('every npm script the workflows run exists in package.json', () => {
		const used = [...npmScriptsOf(ci), ...npmScriptsOf(publish)];
		expect(used).toEqual(expect.arrayContaining(['build', 'lint', 'test', 'scan', 'lint:workflows', 'release', 'n8n:install']));
		expect(used.filter((s) => !(s in pkg.scripts))).toEqual([]);
	});

	test('every action is pinned to a full commit', () => {
		const uses = [...usesOf(ci), ...usesOf(publish)].filter((u) => !u.startsWith('./'));
		expect(uses.length).toBeGreaterThan(0);
		expect(uses.filter((u) => !/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(u))).toEqual([]);
	});
});

describe('package.json for npm and n8n', () => {
	test('repository, homepage and bugs point at the GitHub repository', () => {
		const repo = 'github.com/n8n-nodes-hailuo/n8n-nodes-hailuo';
		expect(pkg.repository).toEqual({ type: 'git', url: `git+https://${repo}.git` });
		expect(pkg.homepage).toBe(`https://${repo}#readme`);
		expect(pkg.bugs).toEqual({ url: `https://${repo}/issues` });
	});

	test('publishing: only through the release script, built and linted first; no runtime dependency', () => {
		expect(pkg.scripts.release).toBe('node scripts/release.js');
		expect(pkg.scripts.prepublishOnly).toBe('n8n-node prerelease && npm run build && npm run lint');
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.dependencies).toBeUndefined();
		expect(pkg.devDependencies['@n8n/scan-community-package']).toMatch(/^\d+\.\d+\.\d+$/);
	});

	test('npm publish outside the release script is refused', () => {
		const r = spawnSync('npm', ['publish', '--dry-run', '--provenance=false'], {
			cwd: ROOT,
			encoding: 'utf8',
			env: { ...process.env, RELEASE_MODE: '' },
		});
		expect(`${r.stdout}${r.stderr}`).toContain('Run `npm run release` to publish the package');
		expect(r.status).not.toBe(0);
	});
});

describe('scripts/release.js', () => {
	test('a tag publishes only the version it names', () => {
		expect(checkTag('v1.2.3', '1.2.3')).toEqual([]);
		expect(checkTag('v1.3.0-rc.1', '1.3.0-rc.1')).toEqual([]);
		expect(checkTag('v1.2.4', '1.2.3')).toEqual(['the tag v1.2.4 does not match package.json\'s version 1.2.3 (expected the tag v1.2.3)']);
		expect(checkTag('1.2.3', '1.2.3')).toHaveLength(1);
		expect(checkTag(undefined, '1.2.3')).toEqual(['no tag: a release is published from a version tag (vX.Y.Z)']);
		expect(checkTag('v1.2', '1.2')).toContain('package.json\'s version "1.2" is not a semantic version');
		expect(distTag('1.2.3')).toBe('latest');
		expect(distTag('1.3.0-rc.1')).toBe('next');
	});

	test('the tag check runs as the publish workflow runs it', () => {
		expect(node(['scripts/release.js', '--check-tag', `v${pkg.version}`]).status).toBe(0);
		const wrong = node(['scripts/release.js', '--check-tag', 'v99.0.0']);
		expect(wrong.status).toBe(1);
		expect(wrong.out).toContain(`does not match package.json's version ${pkg.version}`);
	});

	test('outside GitHub Actions the release script publishes nothing', () => {
		const r = node(['scripts/release.js'], { env: { ...process.env, GITHUB_ACTIONS: '' } });
		expect(r.status).toBe(1);
		expect(r.out).toContain('a release is published by GitHub Actions');
	});

	test('the package holds exactly dist/**, README.md, LICENSE and package.json (npm pack of this tree)', () => {
		const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
		expect(r.status).toBe(0);
		const files = JSON.parse(r.stdout)[0].files.map((f) => f.path);
		expect(checkPackedFiles(files)).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', ...pkg.n8n.nodes, ...pkg.n8n.credentials]));
		expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
	});

	test('the packed-file check refuses extra, missing and stale files', () => {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hailuo-pack-'));
		try {
			fs.mkdirSync(path.join(root, 'dist', 'nodes', 'X'), { recursive: true });
			fs.mkdirSync(path.join(root, 'nodes', 'X'), { recursive: true });
			fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ n8n: { nodes: ['dist/nodes/X/X.node.js'] } }));
			fs.writeFileSync(path.join(root, 'nodes', 'X', 'X.node.ts'), '');
			for (const f of ['X.node.js', 'X.node.d.ts', 'Gone.js']) fs.writeFileSync(path.join(root, 'dist', 'nodes', 'X', f), '');
			const right = ['LICENSE', 'README.md', 'package.json', 'dist/nodes/X/X.node.js', 'dist/nodes/X/X.node.d.ts', 'dist/nodes/X/Gone.js'];
			expect(checkPackedFiles(right, root)).toEqual(['dist/nodes/X/Gone.js: stale, its source nodes/X/Gone.ts is gone (remove dist/ and build again)']);
			fs.rmSync(path.join(root, 'dist', 'nodes', 'X', 'Gone.js'));
			const packed = ['LICENSE', 'package.json', 'dist/nodes/X/X.node.d.ts', 'test/generate.test.js'];
			expect(checkPackedFiles(packed, root)).toEqual([
				'packed but not expected: test/generate.test.js',
				'expected but not packed: README.md',
				'expected but not packed: dist/nodes/X/X.node.js',
				'dist/nodes/X/X.node.js (package.json "n8n") is not packed',
			]);
		} finally {
			fs.rmSync(root, { recursive: true, force: true });
		}
		expect(sourceOf('dist/nodes/shared/models/table.js.map')).toBe('nodes/shared/models/table.ts');
		expect(sourceOf('dist/icons/hailuo.svg')).toBe('icons/hailuo.svg');
		expect(sourceOf('dist/nodes/Hailuo/Hailuo.node.json')).toBe('nodes/Hailuo/Hailuo.node.json');
		expect(sourceOf('dist/tsconfig.tsbuildinfo')).toBeNull();
	});

	test('reads npm publish --json after lifecycle script output', () => {
		const out = '[07:17:24] Finished\n┌   n8n-node lint\n{\n  "n8n-nodes-hailuo": {\n    "files": [{ "path": "LICENSE" }]\n  }\n}\n';
		expect(filesOfPublishJson(lastJson(out), 'n8n-nodes-hailuo')).toEqual(['LICENSE']);
	});
});

describe("n8n's community-package scan (npm run scan)", () => {
	test('passes on this source tree and on its npm pack tarball', () => {
		const r = node(['scripts/scan.js']);
		expect(r.out).toMatch(/^PASS source \(package\.json, \{nodes,credentials\}.*\): \d+ files linted/m);
		expect(r.out).toMatch(/^PASS tarball \(\*\*\/\*\.js, package\.json\): \d+ files linted/m);
		expect(r.out).toContain('scan: no finding in the source or the tarball');
		expect(r.status).toBe(0);
	});

	test('fails on a finding in the source or the tarball, and on a tarball without the built node', () => {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hailuo-scan-test-'));
		try {
			const src = path.join(tmp, 'src');
			for (const d of ['nodes', 'credentials', 'icons']) fs.cpSync(path.join(ROOT, d), path.join(src, d), { recursive: true });
			fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(src, 'package.json'));
			const tarball = path.join(tmp, 'tarball');
			fs.cpSync(path.join(ROOT, 'dist'), path.join(tarball, 'dist'), { recursive: true });
			fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(tarball, 'package.json'));
			const models = path.join(src, 'nodes', 'shared', 'models', 'table.ts');
			fs.writeFileSync(models, `console.log('models');\n${fs.readFileSync(models, 'utf8')}`);
			const credential = path.join(tarball, 'dist', 'credentials', 'HailuoApi.credentials.js');
			fs.writeFileSync(credential, `${fs.readFileSync(credential, 'utf8')}\nrequire('node:fs');\n`);

			const r = node(['scripts/scan.js', '--source', src, '--tarball-dir', tarball]);
			expect(r.status).toBe(1);
			expect(r.out).toMatch(/^FAIL source/m);
			expect(r.out).toMatch(/table\.ts\n\s+1:1\s+error\s+Unexpected console statement\s+no-console/);
			expect(r.out).toMatch(/^FAIL tarball/m);
			expect(r.out).toMatch(/HailuoApi\.credentials\.js\n.*Require of 'node:fs' is not allowed/);

			fs.rmSync(path.join(tarball, 'dist'), { recursive: true });
			fs.writeFileSync(models, fs.readFileSync(path.join(ROOT, 'nodes', 'shared', 'models', 'table.ts')));
			const unbuilt = node(['scripts/scan.js', '--source', src, '--tarball-dir', tarball]);
			expect(unbuilt.status).toBe(1);
			expect(unbuilt.out).toMatch(/^PASS source/m);
			expect(unbuilt.out).toContain('dist/nodes/Hailuo/Hailuo.node.js (declared in package.json "n8n") is not in the tarball: build first');
		} finally {
			fs.rmSync(tmp, { recursive: true, force: true });
		}
	});
});
