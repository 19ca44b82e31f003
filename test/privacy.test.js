// What fal keeps of a job (fal's "Data Retention & Storage"), and fal's documented contract around it: Store Request on
// fal off sends X-Fal-Store-IO: 0, Delete the Video from fal After sends X-Fal-Object-Lifecycle-Preference (and an
// uploaded frame's X-Fal-Object-Lifecycle), neither is sent by default; a job collected later is warned about; a
// result past fal's retention is said to be so; a status stream alive with keep-alive comments only is not a stall.
const { startEmulator } = require('./emulator');
const { useNodeSession } = require('./node-session');

const session = useNodeSession({ queueMs: 20, progressMs: 80 });
const { urlParameters } = session;
const emu = () => session.emu;

const submitParameters = (options = {}) => urlParameters({ operation: 'submit', options });
/** A header of the first request of a route, as it really arrived (the emulator's raw record). */
const header = (route, name) => session.emu.raw.find((raw) => raw.route === route)?.headers.find(([key]) => key.toLowerCase() === name)?.[1];

test('by default neither header is sent, and the output says fal\'s defaults', async () => {
	const run = await session.run();
	await session.expectNoHarm(run);
	const job = emu().jobs.get(run.output('Hailuo Video')[0].json.requestId);
	expect(job).toMatchObject({ storeIo: true });
	expect(job.lifecycle?.header ?? null).toBeNull();
	expect(header('submit', 'x-fal-store-io')).toBeUndefined();
	expect(header('submit', 'x-fal-object-lifecycle-preference')).toBeUndefined();
	expect(run.output('Hailuo Video')[0].json).toMatchObject({ storeRequestOnFal: true, deleteVideoAfterSeconds: null });
	expect(run.output('Hailuo Video')[0].json).not.toHaveProperty('notices');
});

test('Store Request on fal off and a lifecycle: both headers on the submit, the lifecycle on an uploaded frame too', async () => {
	const items = [{ json: {}, binary: { data: { path: 'emulator/fixtures/frame.png', mimeType: 'image/png' } } }];
	const parameters = { prompt: 'Waves', imageSource: 'binary', binaryPropertyName: 'data', options: { storeRequestOnFal: false, deleteVideoAfter: '3600' } };
	const run = await session.run({ items, parameters });
	await session.expectNoHarm(run);
	const job = emu().jobs.get(run.output('Hailuo Video')[0].json.requestId);
	expect(job).toMatchObject({ storeIo: false, storeIoHeader: '0' });
	expect(job.lifecycle).toMatchObject({ expirationSeconds: 3600 });
	expect(JSON.parse(header('initiate', 'x-fal-object-lifecycle'))).toEqual({ expiration_duration_seconds: 3600 });
	// Generate collects the video at once: nothing to warn about
	expect(run.output('Hailuo Video')[0].json).toMatchObject({ storeRequestOnFal: false, deleteVideoAfterSeconds: 3600 });
	expect(run.output('Hailuo Video')[0].json).not.toHaveProperty('notices');
});

test('Submit with storage off warns that the result is kept an hour; a short lifecycle, when the video goes', async () => {
	const run = await session.run({ parameters: submitParameters({ storeRequestOnFal: false, deleteVideoAfter: '600' }) });
	const [item] = run.output('Hailuo Video');
	expect(item.json.notices).toEqual([
		expect.stringMatching(/^Store Request on fal.ai is off: fal keeps a result 30 days when payload storage is on .* only 1 hour after the job ends .* Collect this job with the Hailuo Trigger or with Get Result within the hour\.$/),
		'fal deletes the video 10 minutes after the job ends: collect it before then.',
	]);
	await session.eventually(() => emu().stats().running === 0);
});

test('Get Result after fal let the result go says exactly that, not "may still be running"', async () => {
	const submitted = await session.run({ parameters: submitParameters({ storeRequestOnFal: false }) });
	const { requestId } = submitted.output('Hailuo Video')[0].json;
	await session.eventually(() => emu().jobs.get(requestId).status === 'COMPLETED');
	emu().expire(requestId);
	const run = await session.run({ parameters: { operation: 'getResult', requestId } });
	expect(run.status).toBe('error');
	expect(run.error.message).toBe(`fal does not know the request ID ${requestId}: HTTP 404 from every model's queue (item 0)`);
	expect(run.error.description).toMatch(/a job past fal's retention \(fal keeps a result 30 days when payload storage is on \(its default\), and only 1 hour after the job ends/);
	expect(run.error.description).not.toMatch(/may still be running/);
});

test('a job known to fal whose result is gone: the result\'s 404 is said as fal\'s retention', async () => {
	const submitted = await session.run({ parameters: submitParameters() });
	const { requestId } = submitted.output('Hailuo Video')[0].json;
	await session.eventually(() => emu().jobs.get(requestId).status === 'COMPLETED');
	emu().fault({ route: 'result', status: 404, body: { detail: 'Request not found' } });
	const run = await session.run({ parameters: { operation: 'getResult', requestId } });
	expect(run.error.message).toBe(`fal no longer keeps the result of this job: HTTP 404 for its result (item 0, fal request ${requestId})`);
});

test('a status stream alive with fal\'s keep-alive comments but no event: the job is still followed and delivered', async () => {
	const alive = await startEmulator({ apiKey: session.API_KEY, queueMs: 20, progressMs: 300, streamKeepAliveMs: 20 });
	try {
		alive.fault({ route: 'stream', commentsOnly: true, times: 5 });
		const run = await session.run({ baseUrl: alive.url, parameters: urlParameters({ imageUrl: `${alive.url}/_samples/frame.jpg` }) });
		expect(run.status).toBe('success');
		expect(run.output('Hailuo Video')[0].binary.data.mimeType).toBe('video/mp4');
		// the stream stayed open (comments kept it alive): the job was read while it said nothing, not cancelled
		expect(alive.calls.filter((c) => c.route === 'stream' && c.fault === 'commentsOnly').length).toBeGreaterThan(0);
		expect(alive.calls.filter((c) => c.route === 'cancel')).toHaveLength(0);
		await session.expectNoHarm(run, alive);
	} finally {
		await alive.close();
	}
});
