// n8n's Retry On Fail runs the whole node again with all its input items. A retry never pays twice: a job an
// earlier try submitted for an item (same input) is followed again instead of submitted again; only an item
// whose job failed or was cancelled is submitted anew, and a submit whose answer never came is never re-sent.
const { useNodeSession } = require('./node-session');
const { startEmulator } = require('./emulator');

const session = useNodeSession({ queueMs: 20, progressMs: 80 });
const { submits } = session;
const emu = () => session.emu;
const RETRY = { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 };
const two = [{ json: { p: 'one' } }, { json: { p: 'two' } }];
const batch = (operation = 'generate', options = {}) => session.urlParameters({ operation, prompt: '={{ $json.p }}', options });
const jobOf = (prompt) => [...emu().jobs.values()].filter((job) => job.input.prompt === prompt);

test('Generate: a try that fails after the jobs were made is retried on the same two jobs (2 jobs for 2 items)', async () => {
	// the first result read fails for good (404): the first try fails with both jobs made
	emu().fault({ route: 'result', status: 404 });
	const run = await session.run({ items: two, parameters: batch('generate', { maxInFlight: 1 }), settings: RETRY });
	await session.expectNoHarm(run);
	expect(run.output('Hailuo Video').map((item) => item.json.prompt)).toEqual(['one', 'two']);
	expect(emu().stats()).toMatchObject({ accepted: 2, duplicates: 0 });
	expect(submits()).toHaveLength(2);
});

test('Generate: only the item whose job failed on fal is submitted again; the other is followed, not paid twice', async () => {
	const items = [{ json: { p: 'good' } }, { json: { p: 'bad [emulator:fail]' } }];
	const run = await session.run({ items, parameters: batch(), settings: RETRY });
	expect(run.status).toBe('error');
	expect(jobOf('good')).toHaveLength(1);
	expect(jobOf('bad [emulator:fail]')).toHaveLength(2);
	expect(emu().stats().duplicates).toBe(0);
	await session.eventually(() => emu().stats().running === 0);
});

test('Submit: the retry outputs the job the first try made for item 0 and submits item 1, whose submit was refused', async () => {
	// the first submit goes through (a fault with no effect), the second is refused once; item 0's job is running by
	// then (its queue time is shorter than the submit's latency), so the failing try leaves it to the retry
	emu().fault([
		{ route: 'submit', delayMs: 0 },
		{ route: 'submit', delayMs: 150, status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'refused once', type: 'value_error' }] } },
	]);
	const run = await session.run({ items: two, parameters: batch('submit', { maxInFlight: 1 }), settings: RETRY });
	expect(run.status).toBe('success');
	const out = run.output('Hailuo Video').map((item) => item.json.requestId);
	expect(out).toEqual([jobOf('one')[0].requestId, jobOf('two')[0].requestId]);
	expect(emu().stats()).toMatchObject({ accepted: 2, duplicates: 0 });
	expect(submits().map((call) => [call.body.prompt, call.status])).toEqual([['one', 200], ['two', 422], ['two', 200]]);
	await session.eventually(() => emu().stats().running === 0);
});

test('Submit: a job the failing try made that still waits in fal\'s queue is cancelled (not billed), and the retry submits it again', async () => {
	const queued = await startEmulator({ apiKey: session.API_KEY, queueMs: 60_000 });
	try {
		queued.fault({ route: 'submit', delayMs: 0 });
		queued.fault({ route: 'submit', status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'refused once', type: 'value_error' }] } });
		const parameters = { ...batch('submit', { maxInFlight: 1 }), imageUrl: `${queued.url}/_samples/frame.jpg` };
		const run = await session.run({ baseUrl: queued.url, items: two, parameters, settings: RETRY });
		expect(run.status).toBe('success');
		const jobs = [...queued.jobs.values()];
		expect(jobs.map((job) => [job.input.prompt, job.status])).toEqual([['one', 'CANCELLED'], ['one', 'IN_QUEUE'], ['two', 'IN_QUEUE']]);
		expect(run.output('Hailuo Video').map((item) => item.json.requestId)).toEqual([jobs[1].requestId, jobs[2].requestId]);
		expect(queued.stats()).toMatchObject({ duplicates: 0, billed: 0 });
	} finally {
		await queued.close();
	}
});

test('a submit whose answer never came (fal may have made the job) is not sent again by the retry', async () => {
	emu().fault({ route: 'submit', afterAccept: true });
	const run = await session.run({ items: [{ json: { p: 'once' } }], parameters: batch(), settings: RETRY });
	expect(run.status).toBe('error');
	expect(run.error.message).toMatch(/^The submit may have reached fal, which may bill the job: an earlier try of this node sent it/);
	expect(submits()).toHaveLength(1);
	expect(emu().stats()).toMatchObject({ accepted: 1, duplicates: 0 });
	await session.eventually(() => emu().stats().running === 0);
});

test('with On Error → Continue, n8n retries when the first item is an error: the other item\'s job is not paid twice', async () => {
	const items = [{ json: { p: 'bad [emulator:fail]' } }, { json: { p: 'good' } }];
	const run = await session.run({ items, continueOnFail: true, parameters: batch(), settings: RETRY });
	const out = run.output('Hailuo Video');
	expect(out[0].json.error).toMatch(/^fal could not generate the video/);
	expect(out[1].binary.data.mimeType).toBe('video/mp4');
	expect(jobOf('good')).toHaveLength(1);
	expect(emu().stats().duplicates).toBe(0);
	await session.expectNoHarm(run);
});

test('inside a loop, the node\'s next run (the next run index) submits afresh, even for the same prompt', async () => {
	// the second run's item is the first run's output, whose prompt is in `prompt`
	const parameters = session.urlParameters({ prompt: '={{ $json.p ?? $json.prompt }}' });
	const run = await session.run({ items: [{ json: { p: 'again' } }], parameters, settings: RETRY, loopTimes: 2 });
	expect(run.status).toBe('success');
	expect(run.run.data.resultData.runData['Hailuo Video']).toHaveLength(2);
	expect(jobOf('again')).toHaveLength(2);
});
