// Options → Timeout measures a stall, not a queue (fal/progress.ts). Each rule has its own test, which fails when that
// rule is broken whatever the others do:
// - a queued job whose queue position drops is moving (here: the node's one job behind other clients' jobs);
// - a queued job also moves while its run's other jobs move (here: fal reports no queue position at all);
// - a job in progress for the timeout is stalled, however much the run's other jobs move.
const { startEmulator } = require('./emulator');
const { useNodeSession } = require('./node-session');

// fal runs one job at a time for this account: the rest wait in its queue, their queue_position falling.
const session = useNodeSession({ queueMs: 20, concurrency: 1 });
const emu = () => session.emu;
const jobsOf = (emulator) => [...emulator.jobs.values()];
// 2.4 s without moving counts as a stall
const TIMEOUT = { timeoutMinutes: 0.04 };
const TIMEOUT_MS = 2_400;
const ENDPOINT = 'fal-ai/minimax/hailuo-2.3/standard/image-to-video';

/** Another client of the same fal account submits a job (plain HTTP, as fal's docs show it). */
async function submitOthersJob(emulator, prompt) {
	const response = await fetch(`${emulator.url}/${ENDPOINT}`, {
		method: 'POST',
		headers: { authorization: `Key ${session.API_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ prompt, image_url: `${emulator.url}/_samples/frame.jpg` }),
	});
	expect(response.status).toBe(200);
	return (await response.json()).request_id;
}

test('the node\'s one job waits 4.5 s behind three jobs that are not its run\'s, its queue position dropping: delivered, not cancelled', async () => {
	const others = [];
	for (const i of [0, 1, 2]) others.push(await submitOthersJob(emu(), `someone else's shot ${i} [emulator:ms=1500]`));
	const run = await session.run({ parameters: session.urlParameters({ options: TIMEOUT }) });
	await session.expectNoHarm(run);
	expect(run.status).toBe('success');
	expect(run.output('Hailuo Video')).toHaveLength(1);
	const mine = jobsOf(emu()).find((job) => !others.includes(job.requestId));
	// it really waited in the queue longer than the timeout, and nothing of its own run moved meanwhile
	expect(mine.startedAt - mine.submittedAt).toBeGreaterThan(TIMEOUT_MS);
	expect(mine).toMatchObject({ cancelRequested: false, billed: true });
	expect(emu().stats()).toMatchObject({ accepted: 4, completed: 4, cancelled: 0, maxRunning: 1 });
});

describe('when fal\'s queue position says nothing', () => {
	let quiet;
	beforeAll(async () => {
		quiet = await startEmulator({ apiKey: session.API_KEY, queueMs: 20, concurrency: 1, reportQueuePosition: false });
	});
	afterAll(async () => await quiet.close());
	beforeEach(() => quiet.reset());

	test('the run\'s own jobs moving keep a queued job alive: three of 1.5 s, one at a time, all delivered', async () => {
		const items = [0, 1, 2].map((i) => ({ json: { p: `shot ${i} [emulator:ms=1500]` } }));
		const parameters = session.urlParameters({
			imageUrl: `${quiet.url}/_samples/frame.jpg`,
			prompt: '={{ $json.p }}',
			options: { ...TIMEOUT, maxInFlight: 3 },
		});
		const run = await session.run({ baseUrl: quiet.url, items, parameters });
		await session.expectNoHarm(run, quiet);
		expect(run.status).toBe('success');
		expect(run.output('Hailuo Video')).toHaveLength(3);
		expect(quiet.stats()).toMatchObject({ accepted: 3, completed: 3, cancelled: 0, maxRunning: 1 });
		// the last job waited longer than the timeout with no queue position to show for it
		const last = jobsOf(quiet).sort((a, b) => a.startedAt - b.startedAt)[2];
		expect(last.startedAt - last.submittedAt).toBeGreaterThan(TIMEOUT_MS);
	});
});

describe('with two jobs running at once', () => {
	let two;
	beforeAll(async () => {
		// The stream starts with the job's status, so that the node knows at once that the job runs (with only
		// changes streamed, a job that started before its stream opened is seen running at the first status read,
		// 5 s on: longer than this test's timeout, and until then it counts as queued).
		two = await startEmulator({ apiKey: session.API_KEY, queueMs: 20, concurrency: 2, streamFirstEvent: 'at-once' });
	});
	afterAll(async () => await two.close());

	test('a job in progress for longer than the timeout is cancelled while the run\'s other jobs still move', async () => {
		// one job never ends; five of 1 s go through the other place one after another: the run moves every second
		const items = [{ json: { p: 'stuck [emulator:ms=60000]' } }, ...[1, 2, 3, 4, 5].map((i) => ({ json: { p: `quick ${i} [emulator:ms=1000]` } }))];
		const run = await session.run({
			baseUrl: two.url,
			items,
			continueOnFail: true,
			parameters: session.urlParameters({ imageUrl: `${two.url}/_samples/frame.jpg`, prompt: '={{ $json.p }}', options: { ...TIMEOUT, maxInFlight: 6 } }),
		});
		await session.expectNoHarm(run, two);
		const [stuck, ...quick] = run.output('Hailuo Video');
		expect(stuck.json.error).toMatch(/^The video was not ready: the job ran 2 s without finishing \(last status IN_PROGRESS\); the job was cancelled on fal/);
		expect(quick.map((item) => item.json.error ?? 'video')).toEqual(['video', 'video', 'video', 'video', 'video']);
		const stuckJob = jobsOf(two).find((job) => job.input.prompt.startsWith('stuck'));
		const lastEnd = Math.max(...jobsOf(two).filter((job) => job !== stuckJob).map((job) => job.completedAt));
		expect(stuckJob).toMatchObject({ cancelRequested: true, billed: false });
		// cancelled while the run still moved: the other jobs' progress did not put off its deadline
		expect(stuckJob.cancelRequestedAt).toBeLessThan(lastEnd);
	});
});
