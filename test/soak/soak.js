// @ts-check
// npm run soak [-- --jobs N] [--seed S]: the node in n8n's engine against the emulator, run after run, each run a
// random mix (from the seed) of operations, batch sizes, items in flight, failing prompts, every kind of emulator
// fault, Stops at random moments, short timeouts, continue-on-fail and Retry On Fail. After every run, once the
// node's own background work (cancels after Stop) has landed, it checks what must always hold, and it ends with
//   soak: <jobs> jobs, <d> duplicate, <o> orphaned, <l> lost, <t> truncated, <k> keys leaked (seed <seed>)
// - duplicate: a second job for an input whose first job had not failed (a second bill for one video);
// - orphaned: a job still running on fal that no output carries (nobody will collect it);
// - lost: a job fal billed that no output and no error names;
// - truncated: an output video whose bytes are not the whole file fal serves;
// - keys leaked: the API key anywhere in the run's data, its errors, n8n's log lines or the emulator's record.
// Exit status 1 when any of them is not 0. Same seed, same runs (timings aside).
process.env.N8N_LOG_LEVEL ??= 'silent';
const { randomInt } = require('node:crypto');
const { startEmulator } = require('../emulator');
const { nodeLog, runWorkflow } = require('../harness');
const { hailuoWorkflow } = require('../workflows');
const { randomRun } = require('./runs');

const API_KEY = 'fal-soak-key-5f0c2a91';

function parseArgs(argv) {
	const args = { jobs: 200, seed: randomInt(1, 2 ** 31) };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--jobs') args.jobs = Number(argv[++i]);
		else if (argv[i] === '--seed') args.seed = Number(argv[++i]);
		else throw new Error(`unknown argument ${argv[i]} (use --jobs N, --seed S)`);
	}
	if (!(args.jobs > 0) || !Number.isInteger(args.seed)) throw new Error('--jobs and --seed take whole numbers');
	return args;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a run shows a person: its items, errors, and what the node wrote to n8n's log. */
function visibleText(run, logFrom) {
	return JSON.stringify(run.run) + JSON.stringify(nodeLog.slice(logFrom));
}

/** Checks one run; returns its counts. */
async function checkRun(emu, run, spec, logFrom) {
	const runData = run.run.data.resultData.runData['Hailuo Video'];
	const output = runData?.[0]?.data?.main?.[0] ?? [];
	const outputText = JSON.stringify(output.map((item) => item.json));
	const shown = visibleText(run, logFrom);
	// jobs whose request id an output carries may run on (Submit's jobs are collected later)
	const carried = (job) => outputText.includes(job.requestId);
	// wait for the node's background work: cancels after Stop, jobs followed to their end after a failure
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline && [...emu.jobs.values()].some((job) => !isEnded(job) && !carried(job))) await sleep(50);

	const jobs = [...emu.jobs.values()];
	const orphaned = jobs.filter((job) => !isEnded(job) && !carried(job));
	// a submit whose answer never came cannot be named (fal never said the id); its item's error says it may bill
	const ambiguousItems = new Set(
		[
			...shown.matchAll(/The submit may have reached fal, which may bill the job[^"]*?\(item (\d+)/g),
			...shown.matchAll(/item (\d+): its submit may have reached fal/g),
		].map((m) => Number(m[1])),
	);
	const lost = jobs.filter((job) => job.billed && !shown.includes(job.requestId) && !ambiguousItems.has(itemOf(job)));
	const ambiguous = jobs.filter((job) => !shown.includes(job.requestId) && ambiguousItems.has(itemOf(job)));
	let truncated = 0;
	for (const item of output) {
		const binary = item.binary?.data;
		if (!binary) continue;
		const bytes = await run.bytesOf(binary);
		const served = Buffer.from(await (await fetch(item.json.videoUrl, { headers: { 'x-test-check': '1' } })).arrayBuffer());
		if (!bytes.equals(served)) truncated++;
	}
	const keysLeaked = (shown + JSON.stringify(emu.calls)).split(API_KEY).length - 1;
	return { jobs: jobs.length, duplicates: emu.stats().duplicates, orphaned: orphaned.length, lost: lost.length, truncated, keysLeaked, ambiguous: ambiguous.length, spec };
}

const isEnded = (job) => job.status === 'COMPLETED' || job.status === 'CANCELLED';
/** The item a job belongs to: each prompt starts with "item N". */
const itemOf = (job) => Number(/^item (\d+)/.exec(String(job.input.prompt))?.[1] ?? -1);

async function main() {
	const { jobs: wanted, seed } = parseArgs(process.argv.slice(2));
	const totals = { jobs: 0, duplicates: 0, orphaned: 0, lost: 0, truncated: 0, keysLeaked: 0, ambiguous: 0, runs: 0, stopped: 0 };
	const t0 = Date.now();
	console.log(`soak: at least ${wanted} jobs, seed ${seed} (again: npm run soak -- --jobs ${wanted} --seed ${seed})`);
	for (let runIndex = 0; totals.jobs < wanted; runIndex++) {
		const spec = randomRun(seed, runIndex);
		const runStart = Date.now();
		const emu = await startEmulator({ apiKey: API_KEY, ...spec.emulator });
		try {
			emu.fault(spec.faults);
			const logFrom = nodeLog.length;
			const workflow = hailuoWorkflow({
				items: spec.items,
				parameters: { ...spec.parameters, imageUrl: `${emu.url}/_samples/frame.jpg` },
				continueOnFail: spec.continueOnFail,
				settings: spec.settings,
			});
			const run = await runWorkflow(workflow, {
				credentials: { hailuoApi: { apiKey: API_KEY, baseUrl: emu.url } },
				onStarted: spec.stopAfterMs === undefined ? undefined : (cancel) => void sleep(spec.stopAfterMs).then(cancel),
			});
			const counts = await checkRun(emu, run, spec, logFrom);
			totals.runs++;
			if (run.status === 'canceled') totals.stopped++;
			for (const key of ['jobs', 'duplicates', 'orphaned', 'lost', 'truncated', 'keysLeaked', 'ambiguous']) totals[key] += counts[key];
			const bad = counts.duplicates + counts.orphaned + counts.lost + counts.truncated + counts.keysLeaked;
			if (bad > 0 || process.env.SOAK_VERBOSE) {
				const took = `${Date.now() - runStart} ms`;
				console.log(`run ${runIndex} (${run.status}, ${took}): ${JSON.stringify({ ...counts, spec: undefined })}\n  ${JSON.stringify(spec)}`);
			}
		} finally {
			await emu.close();
		}
	}
	const seconds = Math.round((Date.now() - t0) / 1000);
	console.log(
		`${totals.runs} runs (${totals.stopped} stopped) in ${seconds} s; ${totals.ambiguous} job(s) made by a submit whose answer never came, each reported as one that may bill, in its item's error or n8n's log (fal gave it no id to name)`,
	);
	console.log(
		`soak: ${totals.jobs} jobs, ${totals.duplicates} duplicate, ${totals.orphaned} orphaned, ${totals.lost} lost, ${totals.truncated} truncated, ${totals.keysLeaked} keys leaked (seed ${seed})`,
	);
	const failed = totals.duplicates + totals.orphaned + totals.lost + totals.truncated + totals.keysLeaked > 0;
	process.exit(failed ? 1 : 0);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
