// The node against fal's faults, each driven through the emulator's knobs while n8n's engine runs the
// Generate operation. After every case: no duplicate job, the key nowhere, no truncated video, no job
// left running on the emulator (expectNoHarm).
const { startEmulator } = require('./emulator');
const { useNodeSession } = require('./node-session');

// Videos big enough that a download can be cut or stalled half way.
const VIDEO_BYTES = 600_000;
const session = useNodeSession({ videoBytes: VIDEO_BYTES, cancelMs: 50 });
const { urlParameters, submits, calls } = session;
const emu = () => session.emu;

const binaryItem = { json: {}, binary: { data: { path: 'emulator/fixtures/frame.png', mimeType: 'image/png' } } };
const binaryParameters = { prompt: 'Waves roll in', imageSource: 'binary', binaryPropertyName: 'data' };

/** Runs Generate and checks the invariants; returns the run. */
async function generate(spec = {}) {
	const run = await session.run(spec);
	await session.expectNoHarm(run);
	return run;
}

function expectVideo(run) {
	expect(run.status).toBe('success');
	const [item] = run.output('Hailuo Video');
	expect(item.binary.data.mimeType).toBe('video/mp4');
	expect(item.json.fileSize).toBe(VIDEO_BYTES);
	return item;
}

describe('transient faults are retried where that is safe, and the video arrives whole', () => {
	test('a 429 storm on submit: retried after Retry-After, one job', async () => {
		emu().fault({ route: 'submit', status: 429, headers: { 'retry-after': '0' }, times: 4 });
		const run = await generate();
		expectVideo(run);
		expect(submits().map((c) => c.status)).toEqual([429, 429, 429, 429, 200]);
		expect(emu().stats().accepted).toBe(1);
	});

	test.each([
		['stream', 500],
		['stream', 503],
		['result', 502],
		['initiate', 503],
		['upload', 500],
		['cdn', 503],
	])('a %s answering %i is retried', async (route, status) => {
		emu().fault({ route, status, headers: { 'retry-after': '0' } });
		const binary = route === 'initiate' || route === 'upload';
		const run = await generate(binary ? { items: [binaryItem], parameters: binaryParameters } : {});
		expectVideo(run);
		expect(calls(route).some((c) => c.status === status)).toBe(true);
		expect(emu().stats().accepted).toBe(1);
	});

	test('with the status stream refused, a 500 on a status poll is retried', async () => {
		emu().fault([{ route: 'stream', status: 404 }, { route: 'status', status: 500, headers: { 'retry-after': '0' } }]);
		const run = await generate();
		expectVideo(run);
		expect(calls('status').map((c) => c.status)).toContain(500);
	});

	test('a status answer that is not JSON is read again', async () => {
		emu().fault([{ route: 'stream', status: 404 }, { route: 'status', status: 200, body: 'Service temporarily unavailable' }]);
		const run = await generate();
		expectVideo(run);
		expect(calls('status').length).toBeGreaterThan(1);
	});

	// A second try downloads the file from its first byte (download.ts says why not a Range resume).
	test('a download cut half way is tried again, byte-identical', async () => {
		emu().fault({ route: 'cdn', cutAfterBytes: 250_000 });
		const run = await generate();
		expectVideo(run);
		const downloads = calls('cdn');
		expect(downloads.map((c) => c.fault ?? null)).toEqual(['cut', null]);
		expect(downloads[1].status).toBe(200);
	});

	test('a stalled download is ended by the idle limit and tried again', async () => {
		emu().fault({ route: 'cdn', stallAfterBytes: 100_000 });
		const run = await generate({ parameters: urlParameters({ options: { downloadIdleSeconds: 1 } }) });
		expectVideo(run);
		expect(calls('cdn').map((c) => c.fault ?? null)).toEqual(['stall', null]);
	});

	test('a slow but steady download, longer than the idle limit, is not cut: the limit is on silence, not on the whole', async () => {
		const slow = await startEmulator({ apiKey: session.API_KEY, queueMs: 10, progressMs: 20, videoBytes: 600_000, cdnBytesPerSec: 200_000 });
		try {
			const parameters = urlParameters({ imageUrl: `${slow.url}/_samples/frame.jpg`, options: { downloadIdleSeconds: 1 } });
			const run = await session.run({ baseUrl: slow.url, parameters });
			expect(run.status).toBe('success');
			expect(slow.calls.filter((c) => c.route === 'cdn')).toHaveLength(1);
		} finally {
			await slow.close();
		}
	});

	test('a download that stalls every time fails after three more tries, and no truncated video goes on', async () => {
		emu().fault({ route: 'cdn', stallAfterBytes: 1000, times: 10 });
		const run = await generate({ parameters: urlParameters({ options: { downloadIdleSeconds: 1 } }) });
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^The video download did not finish \(the connection was closed unexpectedly, or no bytes came for 1 s\), and 3 more tries did not finish it \(item 0, fal request [\w-]+\)$/);
		expect(calls('cdn')).toHaveLength(4);
		expect(run.run.data.resultData.runData['Hailuo Video'][0].data).toBeUndefined();
	}, 30_000);
});

describe('only a terminal answer ends a job, and no truncated MP4 goes on', () => {
	test('an empty {} status (a proxy, a captive portal) twice while polling is read past: the video arrives', async () => {
		emu().fault([
			{ route: 'stream', status: 405, times: 10 },
			{ route: 'status', status: 200, body: {}, times: 2 },
		]);
		const run = await generate();
		expectVideo(run);
		expect(calls('status').filter((c) => c.fault === 'status')).toHaveLength(2);
		expect(calls('result')).toHaveLength(1);
	});

	test('a download with no length anywhere that ends early but cleanly is tried again: its MP4 boxes did not add up', async () => {
		emu().fault([{ route: 'result', withoutFileSize: true }, { route: 'cdn', endAfterBytes: 200_000 }]);
		const run = await generate();
		expectVideo(run);
		expect(calls('cdn').map((c) => c.fault ?? null)).toEqual(['ended', null]);
	});

	test('one that ends early every time fails: the truncated MP4 never reaches the next node', async () => {
		emu().fault([{ route: 'result', withoutFileSize: true }, { route: 'cdn', endAfterBytes: 200_000, times: 4 }]);
		const run = await generate();
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^The video download ended after 200000 bytes with an incomplete MP4 \(its boxes do not add up, or it has no moov box\), and 3 more tries did not finish it \(item 0, fal request [\w-]+\)$/);
		expect(run.run.data.resultData.runData['Hailuo Video'][0].data).toBeUndefined();
	});

	test('after one item fails (no Continue), a submit held back by a 429 is never sent', async () => {
		const items = [{ json: { p: 'a' } }, { json: { p: 'b' } }];
		emu().fault([
			{ route: 'submit', status: 429, headers: { 'retry-after': '1' } },
			{ route: 'submit', status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'refused', type: 'value_error' }] } },
		]);
		const run = await generate({ items, parameters: urlParameters({ prompt: '={{ $json.p }}', options: { maxInFlight: 2 } }) });
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^fal rejected the input \(HTTP 422\): Prompt: refused/);
		// the refused submit waits out its Retry-After, then is dropped: the node logs it rather than send it again
		const settled = await session.heldSubmitSettled(/^Hailuo: item \d not submitted: /, 2);
		expect(settled.sent).toBeUndefined();
		expect(settled.logged?.message).toMatch(/^Hailuo: item \d not submitted: an earlier item failed$/);
		expect(submits().map((c) => c.status).sort()).toEqual([422, 429]);
		expect(emu().stats().accepted).toBe(0);
	});
});

describe('a submit that may have created a paid job is never sent twice, and says so', () => {
	test('a 502 on submit', async () => {
		emu().fault({ route: 'submit', status: 502 });
		const run = await generate();
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^The submit may have reached fal, which may bill the job: fal answered HTTP 502: .+ \(item 0, fal request [\w-]+\)$/);
		expect(run.error.description).toMatch(/Check the requests of this model in the fal dashboard before running the item again/);
		expect(run.error.httpCode).toBe('502');
		expect(submits()).toHaveLength(1);
	});

	test('a submit fal accepted, then the connection reset: one job on fal, one submit, the error says it may bill', async () => {
		emu().fault({ route: 'submit', afterAccept: true });
		const run = await generate();
		expect(run.status).toBe('error');
		expect(run.error.message).toBe(
			'The submit may have reached fal, which may bill the job: the submit ended without an answer (the connection was closed unexpectedly) (item 0)',
		);
		expect(run.error.description).toMatch(/Cause: ECONNRESET/);
		expect(submits()).toHaveLength(1);
		expect(emu().stats().accepted).toBe(1);
	});

	test('a connection reset before fal answered: the same, never re-sent', async () => {
		emu().fault({ route: 'submit', reset: true });
		const run = await generate();
		expect(run.error.message).toMatch(/^The submit may have reached fal, which may bill the job/);
		expect(submits()).toHaveLength(1);
		expect(emu().stats().accepted).toBe(0);
	});

	test('a fal that refuses the connection: retried (nothing can have been accepted), then "could not reach fal"', async () => {
		const closed = await startEmulator();
		const deadUrl = closed.url;
		await closed.close();
		const run = await generate({ baseUrl: deadUrl, parameters: urlParameters() });
		expect(run.error.message).toBe('Could not reach fal to submit the job: the connection was refused (item 0)');
		expect(run.error.description).toMatch(/Cause: ECONNREFUSED/);
	}, 30_000);
});

describe('who may see the key, and who may refuse it', () => {
	test('a 401 is a wrong key', async () => {
		const run = await generate({ apiKey: 'fal-wrong-key-0001' });
		expect(run.error.message).toMatch(/^fal rejected the API key \(HTTP 401\) \(item 0\)$/);
		expect(session.visible(run)).not.toContain('fal-wrong-key-0001');
	});

	test('a 403 is "not allowed", with fal\'s own words, not a wrong key', async () => {
		emu().fault({ route: 'submit', status: 403, body: { detail: 'User is locked. Reason: Exhausted balance.' } });
		const run = await generate();
		expect(run.error.message).toMatch(/^fal did not allow this request \(HTTP 403\): User is locked\. Reason: Exhausted balance\. \(item 0/);
		expect(run.error.description).toMatch(/may not use this model/);
		expect(run.error.httpCode).toBe('403');
	});

	test('a redirect to another host is followed without the key; its odd answer ({}) is read past, and the video arrives', async () => {
		emu().fault([
			{ route: 'stream', status: 307, headers: { location: `${emu().otherUrl}/elsewhere` } },
			{ route: 'status', status: 307, headers: { location: `${emu().otherUrl}/elsewhere` } },
		]);
		const run = await generate();
		expect(emu().otherCalls.length).toBeGreaterThan(0);
		expect(emu().otherCalls.every((c) => c.authorization === false)).toBe(true);
		expectVideo(run);
		await session.expectNoHarm(run);
	});
});

describe('a job is never left behind', () => {
	test('a failed generation: fal\'s reason and the request id', async () => {
		const run = await generate({ parameters: urlParameters({ prompt: 'Explode [emulator:fail]' }) });
		const [job] = [...emu().jobs.values()];
		expect(run.error.message).toBe(`fal could not generate the video (HTTP 500): Generation failed (emulator) (item 0, fal request ${job.requestId})`);
	});

	test('a job stuck IN_QUEUE past the timeout is cancelled, and the error says fal confirmed it', async () => {
		const slow = await startEmulator({ apiKey: session.API_KEY, queueMs: 60_000 });
		try {
			const run = await session.run({ baseUrl: slow.url, parameters: urlParameters({ imageUrl: `${slow.url}/_samples/frame.jpg`, options: { timeoutMinutes: 0.05 } }) });
			const [job] = [...slow.jobs.values()];
			expect(run.error.message).toBe(
				`The video was not ready: the job waited 3 s in fal's queue with nothing moving (last status IN_QUEUE); the job was cancelled on fal (fal confirmed: CANCELLATION_REQUESTED) (item 0, fal request ${job.requestId})`,
			);
			expect(job.status).toBe('CANCELLED');
			expect(job.billed).toBe(false);
			expect(slow.stats().running).toBe(0);
		} finally {
			await slow.close();
		}
	});
});

describe('without On Error → Continue, nothing paid is thrown away silently', () => {
	const items = [{ json: { p: 'one' } }, { json: { p: 'two [emulator:fail]' } }, { json: { p: 'three' } }];

	test('the failure\'s description names the other jobs of the run by request id; none is left running', async () => {
		const run = await generate({ items, parameters: urlParameters({ prompt: '={{ $json.p }}' }) });
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^fal could not generate the video/);
		const jobOf = (prompt) => [...emu().jobs.values()].find((job) => job.input.prompt === prompt).requestId;
		expect(run.error.message).toContain(`(item 1, fal request ${jobOf('two [emulator:fail]')})`);
		// each is running or finished (named, paid), or was still queued (cancelled): which depends on fal's timing
		for (const [itemIndex, prompt] of [[0, 'one'], [2, 'three']]) {
			expect(run.error.description).toMatch(new RegExp(`(paid, and in no output|queue \\(not billed[^:]*): [^.]*item ${itemIndex} \\(${jobOf(prompt)}\\)`));
		}
		await session.eventually(() => emu().stats().running === 0);
	});

	test('after the first failure nothing new is submitted', async () => {
		const run = await generate({ items, parameters: urlParameters({ prompt: '={{ $json.p }}', options: { maxInFlight: 1 } }) });
		expect(run.status).toBe('error');
		expect(submits().map((c) => c.body.prompt)).toEqual(['one', 'two [emulator:fail]']);
		expect(run.error.description).toMatch(/On fal, paid, and in no output: item 0 \([\w-]+\) finished\. Retry this execution/);
	});

	test('the node fails at once: a job still in fal\'s queue is cancelled, a running one is named and left to finish', async () => {
		// fal runs two jobs at a time for this account: when the bad one fails, the third starts and the fourth waits
		const busy = await startEmulator({ apiKey: session.API_KEY, queueMs: 20, progressMs: 60, concurrency: 2 });
		try {
			const prompts = ['long A [emulator:ms=20000]', 'bad [emulator:fail]', 'long B [emulator:ms=20000]', 'queued'];
			const parameters = urlParameters({ imageUrl: `${busy.url}/_samples/frame.jpg`, prompt: '={{ $json.p }}' });
			const run = await session.run({ baseUrl: busy.url, items: prompts.map((p) => ({ json: { p } })), parameters });
			const job = (prompt) => [...busy.jobs.values()].find((j) => j.input.prompt === prompt);
			// the error came while the long jobs were still running: the node did not wait for them
			expect([job(prompts[0]).status, job(prompts[2]).status]).toEqual(['IN_PROGRESS', 'IN_PROGRESS']);
			expect(run.status).toBe('error');
			expect(run.error.message).toMatch(/^fal could not generate the video.*\(item 1, fal request [\w-]+\)$/);
			expect(run.error.description).toContain(
				`On fal, paid, and in no output: item 0 (${job(prompts[0]).requestId}) running, item 2 (${job(prompts[2]).requestId}) running. Retry this execution to collect them without paying again.`,
			);
			expect(run.error.description).toContain(
				`Cancelled while still waiting in fal's queue (not billed; a retry submits them again): item 3 (${job('queued').requestId}).`,
			);
			expect(job('queued')).toMatchObject({ status: 'CANCELLED', billed: false });
			expect([job(prompts[0]).cancelRequested, job(prompts[2]).cancelRequested]).toEqual([false, false]);
		} finally {
			await busy.close();
		}
	});
});
