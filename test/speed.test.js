// Speed: items in flight together (bounded, in order, paired), completion seen through fal's status
// stream with polling as its fallback, and few calls per video.
const { useNodeSession } = require('./node-session');

const session = useNodeSession({ queueMs: 20, progressMs: 200 });
const { urlParameters, submits, calls } = session;
const emu = () => session.emu;

const prompts = (n, ms) => Array.from({ length: n }, (_, i) => ({ json: { p: `shot ${i} [emulator:ms=${ms(i)}]` } }));
const promptParameters = (options = {}) => urlParameters({ prompt: '={{ $json.p }}', options });

describe('items in flight together', () => {
	test('20 items of different lengths come back in input order, each paired with its item', async () => {
		const items = prompts(20, (i) => 600 - i * 25); // the first item takes longest
		const run = await session.run({ items, parameters: promptParameters({ maxInFlight: 20 }) });
		await session.expectNoHarm(run);
		const out = run.output('Hailuo Video');
		expect(out.map((item) => item.json.prompt)).toEqual(items.map((item) => item.json.p));
		expect(out.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
		// all 20 were at fal at once (how much faster that is, the bench measures: npm run bench)
		expect(emu().stats()).toMatchObject({ accepted: 20, completed: 20, maxInFlight: 20 });
	});

	test('Max Videos in Flight is never exceeded', async () => {
		const run = await session.run({ items: prompts(9, () => 150), parameters: promptParameters({ maxInFlight: 3 }) });
		expect(run.status).toBe('success');
		expect(emu().stats().maxInFlight).toBe(3);
	});

	test('the default is 10 in flight', async () => {
		const run = await session.run({ items: prompts(12, () => 300), parameters: promptParameters() });
		expect(run.status).toBe('success');
		expect(emu().stats().maxInFlight).toBe(10);
	});

	test('a 429 storm on submit with 10 workers: every video, no duplicate', async () => {
		emu().fault({ route: 'submit', status: 429, headers: { 'retry-after': '0' }, times: 25 });
		const run = await session.run({ items: prompts(10, () => 100), parameters: promptParameters() });
		await session.expectNoHarm(run);
		expect(run.output('Hailuo Video').every((item) => item.binary.data.mimeType === 'video/mp4')).toBe(true);
		expect(emu().stats()).toMatchObject({ accepted: 10, duplicates: 0 });
		expect(submits().filter((c) => c.status === 429)).toHaveLength(25);
	});

	test('a 429 slows every worker: no other submit goes out until its Retry-After has passed', async () => {
		// two workers: one is refused; the other's next item is ready long before the refused one's Retry-After ends
		emu().fault({ route: 'submit', status: 429, headers: { 'retry-after': '1' } });
		const run = await session.run({ items: prompts(6, () => 30), parameters: promptParameters({ maxInFlight: 2 }) });
		expect(run.status).toBe('success');
		const [refused] = submits().filter((c) => c.status === 429);
		// at most the other worker's submit that was already on its way; none is started before Retry-After has
		// passed (a slow machine only makes the node wait longer, so this holds however fast the machine is)
		const sentDuringBackoff = submits().filter((c) => c.at > refused.at && c.at < refused.at + 900);
		expect(sentDuringBackoff.length).toBeLessThanOrEqual(1);
		expect(emu().stats().accepted).toBe(6);
	});
});

describe('completion seen through the status stream', () => {
	test('the happy path is submit, stream, result, download: no status polling', async () => {
		const run = await session.run();
		await session.expectNoHarm(run);
		const nodeCalls = emu().calls.filter((c) => !c.runner && !c.headers['x-test-check'] && c.route !== 'sample');
		expect(nodeCalls.map((c) => c.route)).toEqual(['submit', 'stream', 'result', 'cdn']);
		expect(calls('stream')[0].headers.accept).toBe('text/event-stream');
	});

	test('a binary image adds only the upload: at most 6 calls', async () => {
		const item = { json: {}, binary: { data: { path: 'emulator/fixtures/frame.png', mimeType: 'image/png' } } };
		const run = await session.run({ items: [item], parameters: { prompt: 'x', imageSource: 'binary' } });
		expect(run.status).toBe('success');
		const nodeCalls = emu().calls.filter((c) => !c.runner && c.route !== 'sample');
		expect(nodeCalls.map((c) => c.route)).toEqual(['initiate', 'upload', 'submit', 'stream', 'result', 'cdn']);
	});

	test('a refused stream falls back to polling, and the video arrives', async () => {
		emu().fault({ route: 'stream', status: 405, times: 100 });
		const run = await session.run();
		await session.expectNoHarm(run);
		expect(calls('status').length).toBeGreaterThan(0);
		expect(calls('stream').length).toBeLessThanOrEqual(3);
	});

	test('a stream dropped mid-way is followed by a status read and a new stream', async () => {
		emu().fault({ route: 'stream', cutAfterBytes: 40 });
		const run = await session.run();
		await session.expectNoHarm(run);
		expect(calls('stream').length).toBeGreaterThanOrEqual(2);
		expect(calls('status').length).toBeGreaterThanOrEqual(1);
	});

	test('a silent stream (headers, never an event) is given up, and polling delivers', async () => {
		emu().fault({ route: 'stream', silent: true });
		const run = await session.run();
		await session.expectNoHarm(run);
		expect(calls('stream')[0].fault).toBe('silent');
		expect(calls('status').length).toBeGreaterThanOrEqual(1);
	});

	test('a job that completes while the stream is down is not missed', async () => {
		// the first stream sends one event and drops; the job then ends before the node reconnects
		emu().fault({ route: 'stream', cutAfterBytes: 400, delayMs: 0 });
		const run = await session.run({ parameters: urlParameters({ prompt: 'quick [emulator:ms=1]' }) });
		await session.expectNoHarm(run);
		expect(run.output('Hailuo Video')[0].binary.data.mimeType).toBe('video/mp4');
	});
});
