// n8n's Stop during a batch, as the engine delivers it (the execution's cancel signal). n8n discards the output of
// a node it stops, so every job of the run is cancelled on fal, at whatever moment Stop comes: before a submit has
// its answer, between submits, while jobs wait in the queue or run, while a video downloads. n8n's log gets one
// line per job with its request id and fal's answer. A Stop that comes after the node has returned its items
// (the jobs are in its output) cancels nothing.
const { nodeLog } = require('./harness');
const { holdEvents } = require('./harness/test-nodes');
const { useNodeSession } = require('./node-session');

const session = useNodeSession({ queueMs: 1_000, progressMs: 60_000, cancelMs: 100 });
const emu = () => session.emu;
const jobs = () => [...emu().jobs.values()];
const prompts = (n) => Array.from({ length: n }, (_, i) => ({ json: { p: `shot ${i}` } }));
const batch = (operation, options) => session.urlParameters({ operation, prompt: '={{ $json.p }}', options });

beforeEach(() => nodeLog.splice(0));

/** Runs the node and presses Stop once `when` holds (checked every 10 ms against the emulator). */
async function runAndStopWhen(spec, when) {
	return await session.run({
		...spec,
		onStarted: (cancel) => {
			const poll = setInterval(() => {
				if (when()) {
					clearInterval(poll);
					cancel();
				}
			}, 10);
		},
	});
}

/** Every job fal made was asked to stop, none is billed or left running, and n8n's log names each one. */
async function expectEveryJobCancelled(count) {
	await session.eventually(() => emu().stats().running === 0);
	// the log line comes once fal has answered the cancel, a moment after the emulator took it
	await session.eventually(() => jobs().every((job) => nodeLog.some((entry) => entry.message.includes(job.requestId))));
	expect(jobs()).toHaveLength(count);
	for (const job of jobs()) {
		expect(job.cancelRequested).toBe(true);
		expect(job.billed).toBe(false);
		const line = nodeLog.find((entry) => entry.message.includes(job.requestId));
		expect(line).toMatchObject({ level: 'info', meta: { requestId: job.requestId, falAnswer: 'CANCELLATION_REQUESTED' } });
		expect(line.message).toMatch(/^Hailuo: the execution was stopped; fal job [\w-]+ \(item \d\): the job was cancelled on fal/);
	}
	expect(emu().stats().duplicates).toBe(0);
}

describe.each(['submit', 'generate'])('Stop during a %s batch of 4, one in flight at a time', (operation) => {
	test('before the first submit has its answer: the job fal made is cancelled, nothing else is submitted', async () => {
		emu().fault({ route: 'submit', lateAnswerMs: 800 });
		const run = await runAndStopWhen({ items: prompts(4), parameters: batch(operation, { maxInFlight: 1 }) }, () => jobs().length === 1);
		expect(run.status).toBe('canceled');
		await expectEveryJobCancelled(1);
		expect(session.submits()).toHaveLength(1);
	});
});

test('Stop while a submit is on its way whose answer then says nothing sure (a slow 502): n8n\'s log names the item', async () => {
	emu().fault({ route: 'submit', delayMs: 600, status: 502 });
	const run = await runAndStopWhen({ items: prompts(1), parameters: batch('submit') }, () => session.submits().length === 1);
	expect(run.status).toBe('canceled');
	await session.eventually(() => nodeLog.some((entry) => entry.message.startsWith('Hailuo: the execution was stopped; item 0:')));
	expect(nodeLog.find((entry) => entry.message.startsWith('Hailuo: the execution was stopped; item 0:'))).toMatchObject({
		level: 'info',
		message: 'Hailuo: the execution was stopped; item 0: its submit may have reached fal, which gave no request id: check the fal dashboard',
		meta: { itemIndex: 0 },
	});
});

test('Stop between Submit\'s submits (two jobs made, the second answer on its way): both are cancelled, the rest never sent', async () => {
	emu().fault({ route: 'submit', lateAnswerMs: 400, times: 4 });
	const run = await runAndStopWhen({ items: prompts(4), parameters: batch('submit', { maxInFlight: 1 }) }, () => jobs().length === 2);
	expect(run.status).toBe('canceled');
	await expectEveryJobCancelled(2);
});

test('Stop in a Generate batch after one video is done, the next submit on its way: that one is cancelled, the finished one is named in the log', async () => {
	emu().fault({ route: 'submit', lateAnswerMs: 600, times: 4 });
	const quick = prompts(4).map((item) => ({ json: { p: `${item.json.p} [emulator:ms=50]` } }));
	const run = await runAndStopWhen({ items: quick, parameters: batch('generate', { maxInFlight: 1 }) }, () => jobs().length === 2);
	expect(run.status).toBe('canceled');
	await session.eventually(() => emu().stats().running === 0);
	const [done, next] = jobs();
	expect(done).toMatchObject({ status: 'COMPLETED', billed: true });
	expect(next).toMatchObject({ cancelRequested: true, billed: false });
	expect(nodeLog.map((entry) => entry.message)).toEqual(
		expect.arrayContaining([
			`Hailuo: the execution was stopped; fal job ${done.requestId} (item 0) had finished and is billed: fetch its video with Get Result`,
			expect.stringMatching(new RegExp(`^Hailuo: the execution was stopped; fal job ${next.requestId} \\(item 1\\): the job was cancelled on fal`)),
		]),
	);
	expect(session.submits()).toHaveLength(2);
});

describe('Stop during a Generate batch of 4, all in flight', () => {
	test('while the jobs wait in fal\'s queue: each is cancelled before it runs', async () => {
		const run = await runAndStopWhen({ items: prompts(4), parameters: batch('generate') }, () => jobs().length === 4);
		expect(run.status).toBe('canceled');
		await expectEveryJobCancelled(4);
		expect(jobs().every((job) => job.status === 'CANCELLED')).toBe(true);
	});

	test('while the jobs run: each is asked to stop, and ends', async () => {
		const running = () => jobs().length === 4 && jobs().every((job) => job.status === 'IN_PROGRESS');
		const run = await runAndStopWhen({ items: prompts(4), parameters: batch('generate') }, running);
		expect(run.status).toBe('canceled');
		await expectEveryJobCancelled(4);
	});
});

test('Stop while Submit\'s batch mixes queued jobs and a submit held back by a 429: nothing more goes out', async () => {
	emu().fault({ route: 'submit', status: 429, headers: { 'retry-after': '2' } });
	const run = await runAndStopWhen({ items: prompts(3), parameters: batch('submit', { maxInFlight: 3 }) }, () => jobs().length === 2);
	expect(run.status).toBe('canceled');
	await expectEveryJobCancelled(2);
	// the refused submit waits out its Retry-After; Stop came first, so the node drops it rather than send it again
	const settled = await session.heldSubmitSettled(/^Hailuo: item \d not submitted: /, 3);
	expect(settled.sent).toBeUndefined();
	expect(settled.logged).toMatchObject({ level: 'info', message: expect.stringMatching(/^Hailuo: item \d not submitted: the execution was stopped$/) });
	expect(session.submits().map((call) => call.status).sort()).toEqual([200, 200, 429]);
});

test('a Stop after Submit has returned its items (the next step still running) cancels nothing: the jobs are in its output', async () => {
	// Stop once the next step (Hold) runs: the Hailuo node has returned its items
	const run = await session.run({
		items: prompts(3),
		parameters: batch('submit'),
		thenHoldMs: 5_000,
		onStarted: (cancel) => holdEvents.once('started', () => cancel()),
	});
	expect(run.status).toBe('canceled');
	expect(run.output('Hailuo Video').map((item) => item.json.requestId).sort()).toEqual(jobs().map((job) => job.requestId).sort());
	await new Promise((resolve) => setTimeout(resolve, 300));
	expect(jobs().every((job) => !job.cancelRequested)).toBe(true);
	expect(nodeLog.filter((entry) => entry.message.startsWith('Hailuo:'))).toEqual([]);
});
