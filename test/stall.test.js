// Options → Timeout measures a stall, not a queue: a job waiting at fal behind this run's own jobs (the account's
// concurrency) is not cancelled while those jobs move; a job that does not move for the timeout is: queued with
// nothing moving, or in progress for that long.
const { useNodeSession } = require('./node-session');

// fal runs one job at a time for this account: the rest wait in its queue.
const session = useNodeSession({ queueMs: 20, concurrency: 1 });
const emu = () => session.emu;
const jobs = () => [...emu().jobs.values()];
// 2.4 s without moving counts as a stall
const TIMEOUT = { timeoutMinutes: 0.04 };

test('three jobs of 1.5 s each, one at a time: the third waits 3 s in the queue, longer than the timeout, and is delivered', async () => {
	const items = [0, 1, 2].map((i) => ({ json: { p: `shot ${i} [emulator:ms=1500]` } }));
	const run = await session.run({ items, parameters: session.urlParameters({ prompt: '={{ $json.p }}', options: { ...TIMEOUT, maxInFlight: 3 } }) });
	await session.expectNoHarm(run);
	expect(run.output('Hailuo Video')).toHaveLength(3);
	expect(emu().stats()).toMatchObject({ accepted: 3, completed: 3, cancelled: 0, maxRunning: 1 });
	// the last job really waited in the queue longer than the timeout
	const last = jobs().sort((a, b) => a.startedAt - b.startedAt)[2];
	expect(last.startedAt - last.submittedAt).toBeGreaterThan(2_400);
});

describe('when fal\'s queue position says nothing', () => {
	let quiet;
	beforeAll(async () => {
		const { startEmulator } = require('./emulator');
		quiet = await startEmulator({ apiKey: session.API_KEY, queueMs: 20, concurrency: 1, reportQueuePosition: false });
	});
	afterAll(async () => await quiet.close());

	test('the run\'s own jobs moving keep a queued job alive: three of 1.5 s, one at a time, all delivered', async () => {
		const items = [0, 1, 2].map((i) => ({ json: { p: `shot ${i} [emulator:ms=1500]` } }));
		const parameters = session.urlParameters({
			imageUrl: `${quiet.url}/_samples/frame.jpg`,
			prompt: '={{ $json.p }}',
			options: { ...TIMEOUT, maxInFlight: 3 },
		});
		const run = await session.run({ baseUrl: quiet.url, items, parameters });
		expect(run.status).toBe('success');
		expect(run.output('Hailuo Video')).toHaveLength(3);
		expect(quiet.stats()).toMatchObject({ accepted: 3, completed: 3, cancelled: 0 });
	});
});

test('a job in progress for longer than the timeout is cancelled, even while the run\'s other job moves', async () => {
	const items = [{ json: { p: 'stuck [emulator:ms=60000]' } }, { json: { p: 'quick [emulator:ms=100]' } }];
	const run = await session.run({
		items,
		continueOnFail: true,
		parameters: session.urlParameters({ prompt: '={{ $json.p }}', options: { ...TIMEOUT, maxInFlight: 2 } }),
	});
	const [stuck] = run.output('Hailuo Video');
	expect(stuck.json.error).toMatch(/^The video was not ready: the job ran 2 s without finishing \(last status IN_PROGRESS\); the job was cancelled on fal/);
	await session.eventually(() => emu().stats().running === 0);
	const stuckJob = jobs().find((job) => job.input.prompt.startsWith('stuck'));
	expect(stuckJob).toMatchObject({ cancelRequested: true, billed: false });
});
