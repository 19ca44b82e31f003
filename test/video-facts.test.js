// What the video is (durationSeconds, width, height, hasAudio), read from the MP4 as n8n's binary store reads it
// from the download (fal/download.ts watches the chunks; nothing is read back from the store), in n8n's engine with
// binary data on disk (2.x's default) and in memory (1.x's default, and the consumer n8n's database and S3 modes
// share): the facts are right and the stored video is byte for byte what the CDN served (expectNoHarm).
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { startEmulator } = require('./emulator');
const { runWorkflow } = require('./harness');
const { useNodeSession, FIXTURE_VIDEO } = require('./node-session');

const session = useNodeSession();
const { urlParameters, calls } = session;
const emu = () => session.emu;

const sample = (name) => readFileSync(path.join(__dirname, 'fixtures/mp4', name));

/** A CDN of our own for the samples: `/<name>` with its length, `/<name>?chunked` without one. */
let cdn;
let cdnUrl;
beforeAll(async () => {
	cdn = createServer((req, res) => {
		const url = new URL(req.url, 'http://x');
		const bytes = sample(url.pathname.slice(1));
		res.writeHead(200, { 'content-type': 'video/mp4', ...(url.searchParams.has('chunked') ? {} : { 'content-length': bytes.length }) });
		// in pieces, as a network delivers it
		for (let at = 0; at < bytes.length; at += 1000) res.write(bytes.subarray(at, at + 1000));
		res.end();
	});
	await new Promise((resolve) => cdn.listen(0, '127.0.0.1', resolve));
	cdnUrl = `http://127.0.0.1:${cdn.address().port}`;
});
afterAll(() => new Promise((resolve) => cdn.close(resolve)));

/** fal's result for this run names a video on our CDN (the emulator's result route answers it once). */
function resultNames(name, { withoutSize = false, query = '' } = {}) {
	const file = { url: `${cdnUrl}/${name}${query}`, content_type: 'video/mp4', file_name: name, ...(withoutSize ? {} : { file_size: sample(name).length }) };
	emu().fault({ route: 'result', status: 200, body: { video: file } });
}

async function generate(binaryMode, parameters = urlParameters()) {
	const run = await session.run({ binaryMode, parameters });
	await session.expectNoHarm(run);
	return run;
}

describe.each(['filesystem', 'default'])('binary data mode %s', (binaryMode) => {
	test("Generate's item says what the emulator's video is (ffprobe: 3.000 s, 432x768, no audio), stored whole", async () => {
		const run = await generate(binaryMode);
		expect(run.status).toBe('success');
		const [item] = run.output('Hailuo Video');
		expect(item.json).toMatchObject({ durationSeconds: 3, width: 432, height: 768, hasAudio: false, fileSize: FIXTURE_VIDEO.length });
		expect((await run.bytesOf(item.binary.data)).equals(FIXTURE_VIDEO)).toBe(true);
		// where n8n keeps it: a file of its own, or the execution's data
		if (binaryMode === 'default') expect(item.binary.data.id).toBeUndefined();
		else expect(item.binary.data.id).toMatch(/^filesystem-v2:/);
		expect(calls('cdn')).toHaveLength(1);
	});

	test.each([
		['faststart-stereo-aac.mp4', '', { durationSeconds: 2, width: 160, height: 90, hasAudio: true }],
		['moov-at-end-no-audio.mp4', '', { durationSeconds: 1.5, width: 120, height: 68, hasAudio: false }],
		// no length from fal or the CDN: the same walk says whether the MP4 is whole
		['moov-at-end-no-audio.mp4', '?chunked', { durationSeconds: 1.5, width: 120, height: 68, hasAudio: false }],
		['rotated-90.mp4', '', { durationSeconds: 1, width: 108, height: 192, hasAudio: false }],
	])('%s%s: its facts', async (name, query, facts) => {
		resultNames(name, { withoutSize: query !== '', query });
		const run = await generate(binaryMode);
		expect(run.status).toBe('success');
		const [item] = run.output('Hailuo Video');
		expect(item.json).toMatchObject({ ...facts, fileSize: sample(name).length, videoUrl: `${cdnUrl}/${name}${query}` });
	});

	test('with Download Video off nothing is downloaded, and the facts are null', async () => {
		const run = await generate(binaryMode, urlParameters({ options: { download: false } }));
		const [item] = run.output('Hailuo Video');
		expect(item.json).toMatchObject({ durationSeconds: null, width: null, height: null, hasAudio: null });
		expect(calls('cdn')).toHaveLength(0);
	});

	test('a download with no length anywhere that ends early is tried again (the walk saw its boxes not add up)', async () => {
		emu().fault([{ route: 'result', withoutFileSize: true }, { route: 'cdn', endAfterBytes: 60_000 }]);
		const run = await generate(binaryMode);
		expect(run.status).toBe('success');
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ durationSeconds: 3, fileSize: FIXTURE_VIDEO.length });
		expect(calls('cdn').map((c) => c.fault ?? null)).toEqual(['ended', null]);
	});
});

describe('Get Result and the Hailuo Trigger give the same facts (nodes/shared/video-output.ts)', () => {
	const AAC = { durationSeconds: 2, width: 160, height: 90, hasAudio: true };
	let requestId;
	beforeEach(async () => {
		const res = await fetch(`${emu().url}/fal-ai/minimax/hailuo-2.3/standard/image-to-video`, {
			method: 'POST',
			headers: { authorization: `Key ${session.API_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: 'A bell rings', image_url: session.image() }),
		});
		requestId = (await res.json()).request_id;
		await session.eventually(() => emu().jobs.get(requestId)?.status === 'COMPLETED');
		resultNames('faststart-stereo-aac.mp4');
	});

	test.each(['filesystem', 'default'])('Get Result, binary data mode %s', async (binaryMode) => {
		const run = await session.run({ binaryMode, parameters: { operation: 'getResult', requestId } });
		await session.expectNoHarm(run);
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ requestId, ...AAC });
	});

	test('the Hailuo Trigger', async () => {
		const trigger = { id: 't1', name: 'Hailuo Trigger', type: 'n8n-nodes-hailuo.hailuoTrigger', typeVersion: 1, position: [0, 0], webhookId: 'w1', parameters: {}, credentials: { hailuoApi: { id: 'c', name: 'Hailuo' } } };
		const run = await runWorkflow({ name: 'trigger', nodes: [trigger], connections: {} }, { credentials: session.credentials(), startItems: [{ json: { requestId, status: 'OK', error: null, query: {} } }] });
		const [item] = run.output('Hailuo Trigger');
		expect(item.json).toMatchObject({ requestId, status: 'OK', ...AAC });
		expect((await run.bytesOf(item.binary.data)).equals(sample('faststart-stereo-aac.mp4'))).toBe(true);
	});
});

// The total bound of a download (fal/download.ts): twice the idle limit plus the file at 32 KB a second. With an
// idle limit of 1 s, the emulator's 127,651-byte video is given 2 s + 3.9 s.
describe('a download that trickles is bounded by its size, not only by silence', () => {
	async function withPacedCdn(bytesPerSec, body) {
		const paced = await startEmulator({ apiKey: session.API_KEY, queueMs: 10, progressMs: 20, cdnBytesPerSec: bytesPerSec });
		try {
			const parameters = urlParameters({ imageUrl: `${paced.url}/_samples/frame.jpg`, options: { downloadIdleSeconds: 1 } });
			await body(await session.run({ baseUrl: paced.url, parameters }), paced);
		} finally {
			await paced.close();
		}
	}

	test('8 KB a second, never silent for the idle limit (16 s a try): each try ends at its bound, then the item fails naming it', async () => {
		await withPacedCdn(8_000, async (run, paced) => {
			expect(run.status).toBe('error');
			expect(run.error.message).toMatch(
				/^The video download was still under way after 6 s \(the bound for 127651 bytes: 32 KB a second at the least, plus twice the idle limit\), and 3 more tries did not finish it \(item 0, fal request [\w-]+\)$/,
			);
			expect(paced.calls.filter((c) => c.route === 'cdn')).toHaveLength(4);
		});
	}, 60_000);

	test('40 KB a second (3.2 s, longer than the fixed allowance): above the floor, it finishes', async () => {
		await withPacedCdn(40_000, async (run, paced) => {
			expect(run.status).toBe('success');
			expect(run.output('Hailuo Video')[0].json).toMatchObject({ durationSeconds: 3, fileSize: FIXTURE_VIDEO.length });
			expect(paced.calls.filter((c) => c.route === 'cdn')).toHaveLength(1);
		});
	});
});
