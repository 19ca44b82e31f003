// Hailuo 02 Standard image to video (issue 26): the last frame from an image URL or a binary field (checked like
// the first frame, uploaded to fal storage like it), the resolution (512p drafts; a last frame only at 768p), and
// prices per second, in the output and in the spending guard, for runs that mix models.
const { mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { useNodeSession } = require('./node-session');

const session = useNodeSession();
const { submits } = session;
const emu = () => session.emu;

const HAILUO_02 = 'fal-ai/minimax/hailuo-02/standard/image-to-video';
const STANDARD_23 = 'fal-ai/minimax/hailuo-2.3/standard/image-to-video';
const FIXTURE_PNG = readFileSync(path.join(__dirname, 'emulator/fixtures/frame.png'));
const FIXTURE_JPG = readFileSync(path.join(__dirname, 'emulator/fixtures/frame.jpg'));

const params = (extra = {}) => session.urlParameters({ model: HAILUO_02, prompt: 'A door opens onto a beach', ...extra });
const lastFrameReads = (name) => session.calls('sample').filter((c) => !c.runner && c.path.endsWith(name));

describe('Hailuo 02 is sent exactly its fields', () => {
	test('by default: 768P, 6 s, no last frame (and the output says so)', async () => {
		const run = await session.run({ parameters: params() });
		expect(run.status).toBe('success');
		expect(submits()[0].path).toBe(`/${HAILUO_02}`);
		expect(submits()[0].body).toEqual({
			prompt: 'A door opens onto a beach',
			image_url: session.image(),
			duration: '6',
			prompt_optimizer: true,
			resolution: '768P',
		});
		expect(run.output('Hailuo Video')[0].json).toMatchObject({
			model: HAILUO_02,
			duration: 6,
			resolution: '768P',
			lastFrameSource: null,
			lastFrameUrl: null,
			costUsd: 0.27,
			priceSource: 'list price',
		});
		await session.expectNoHarm(run);
	});

	test('a last frame from an image URL: read before submitting, sent as end_image_url, read by fal\'s runner', async () => {
		const lastFrameUrl = session.image('jpeg/800x600.jpg');
		const run = await session.run({ parameters: params({ lastFrameSource: 'url', lastFrameUrl, duration: '10' }) });
		expect(run.status).toBe('success');
		expect(submits()[0].body).toMatchObject({ image_url: session.image(), end_image_url: lastFrameUrl, resolution: '768P', duration: '10' });
		expect(lastFrameReads('800x600.jpg').every((c) => c.headers.range === 'bytes=0-262143')).toBe(true);
		expect(lastFrameReads('800x600.jpg')).toHaveLength(1);
		expect(session.calls('sample').filter((c) => c.runner && c.path.endsWith('800x600.jpg'))).toHaveLength(1);
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ lastFrameSource: 'url', lastFrameUrl, costUsd: 0.45 });
	});

	test('a last frame from a binary field is uploaded to fal storage, as the first frame is', async () => {
		const item = { json: {}, binary: { last: { path: 'emulator/fixtures/frame.jpg', mimeType: 'image/jpeg', fileName: 'end.jpg' } } };
		const run = await session.run({ items: [item], parameters: params({ lastFrameSource: 'binary', lastFrameBinaryPropertyName: 'last' }) });
		expect(run.status).toBe('success');
		const { end_image_url: endUrl, image_url: imageUrl } = submits()[0].body;
		expect(imageUrl).toBe(session.image());
		expect(emu().uploads.get(endUrl).bytes.equals(FIXTURE_JPG)).toBe(true);
		expect(session.calls('initiate').map((c) => c.body)).toEqual([{ content_type: 'image/jpeg', file_name: 'end.jpg' }]);
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ imageSource: 'url', lastFrameSource: 'binary', lastFrameUrl: endUrl });
		await session.expectNoHarm(run);
	});

	test('both frames from binary fields: two uploads, each frame its own URL', async () => {
		const item = {
			json: {},
			binary: {
				data: { path: 'emulator/fixtures/frame.png', mimeType: 'image/png' },
				last: { path: 'emulator/fixtures/frame.jpg', mimeType: 'image/jpeg' },
			},
		};
		const parameters = params({ imageSource: 'binary', lastFrameSource: 'binary', lastFrameBinaryPropertyName: 'last' });
		const run = await session.run({ items: [item], parameters });
		expect(run.status).toBe('success');
		const body = submits()[0].body;
		expect(emu().uploads.get(body.image_url).bytes.equals(FIXTURE_PNG)).toBe(true);
		expect(emu().uploads.get(body.end_image_url).bytes.equals(FIXTURE_JPG)).toBe(true);
		expect(emu().stats().uploads).toBe(2);
	});

	test('512P at 10 s: fal\'s page allows it (its only duration limit is for 1080p), and it costs 10 × USD 0.017', async () => {
		const run = await session.run({ parameters: params({ resolution: '512P', duration: '10' }) });
		expect(run.status).toBe('success');
		expect(submits()[0].body).toMatchObject({ resolution: '512P', duration: '10' });
		expect(submits()[0].body).not.toHaveProperty('end_image_url');
		const [item] = run.output('Hailuo Video');
		expect(item.json).toMatchObject({ resolution: '512P', duration: 10, costUsd: 0.17 });
		expect(emu().jobs.get(item.json.requestId).costUsd).toBe(0.17);
	});

	test('a resolution the model does not take is refused before anything is sent', async () => {
		const run = await session.run({ parameters: params({ resolution: '1080P' }) });
		expect(run.error.message).toBe('Resolution: must be 768p or 512p, not "1080P" (item 0)');
		expect(emu().calls.filter((c) => !c.headers['x-test-check'])).toHaveLength(0);
	});
});

describe('a last frame fal would refuse is refused before anything is paid', () => {
	let dir;
	beforeAll(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'hailuo-last-frame-'));
	});
	async function binaryFile(sample) {
		const response = await fetch(session.image(sample), { headers: { 'x-test-check': '1' } });
		const file = path.join(dir, sample.replace(/\//g, '-'));
		writeFileSync(file, Buffer.from(await response.arrayBuffer()));
		return { path: file, mimeType: 'image/png', fileName: path.basename(file) };
	}

	test.each([
		['too small', 'png/100x100.png', /is 100×100 px; its short side must be over 300 px/],
		['of a ratio outside 2:5..5:2', 'png/2100x320.png', /is 2100×320 px \(ratio 6\.6:1\); the model takes ratios between 2:5 and 5:2/],
		['a GIF', 'gif/640x480.gif', /is not a JPEG, PNG or WebP image \(it is GIF\)/],
		['over 20 MB', 'big/21.png', /is 21 MB; the model takes images up to 20 MB/],
	])('a last frame URL %s: 0 submits', async (_, sample, problem) => {
		const run = await session.run({ parameters: params({ lastFrameSource: 'url', lastFrameUrl: session.image(sample) }) });
		expect(run.error.message).toMatch(/^Last Frame URL: /);
		expect(run.error.message).toMatch(problem);
		expect(submits()).toHaveLength(0);
	});

	test.each([
		['too small', 'png/100x100.png', /is 100×100 px/],
		['of a ratio outside 2:5..5:2', 'png/2100x320.png', /\(ratio 6\.6:1\)/],
	])('a last frame in a binary field %s: 0 uploads, 0 submits', async (_, sample, problem) => {
		const item = { json: {}, binary: { last: await binaryFile(sample) } };
		const run = await session.run({ items: [item], parameters: params({ lastFrameSource: 'binary', lastFrameBinaryPropertyName: 'last' }) });
		expect(run.error.message).toMatch(/^Last Frame Binary Field "last": /);
		expect(run.error.message).toMatch(problem);
		expect(session.calls('initiate')).toHaveLength(0);
		expect(submits()).toHaveLength(0);
	});

	test('an unreachable last frame URL is refused: fal could not read it either', async () => {
		const run = await session.run({ parameters: params({ lastFrameSource: 'url', lastFrameUrl: session.image('no-such.png') }) });
		expect(run.error.message).toBe('Last Frame URL: could not be read (the host answered HTTP 404); fal could not read it either (item 0)');
		expect(submits()).toHaveLength(0);
	});

	test('an empty last frame URL is refused', async () => {
		const run = await session.run({ parameters: params({ lastFrameSource: 'url', lastFrameUrl: ' ' }) });
		expect(run.error.message).toBe('Last Frame URL: is empty (item 0)');
		expect(submits()).toHaveLength(0);
	});

	test('a last frame at 512P is refused before submit (MiniMax makes first-and-last-frame videos at 768p only)', async () => {
		const parameters = params({ resolution: '512P', lastFrameSource: 'url', lastFrameUrl: session.image('png/640x480.png') });
		const run = await session.run({ parameters });
		expect(run.error.message).toBe('Last Frame: the model makes videos with a last frame at 768p only, not at 512p (item 0)');
		expect(run.error.description).toMatch(/Choose Resolution 768p, or Last Frame "None"/);
		expect(submits()).toHaveLength(0);
	});

	test('with Check Image URL off, the URL is not read first, and fal\'s refusal names Last Frame URL', async () => {
		const parameters = params({ lastFrameSource: 'url', lastFrameUrl: session.image('png/100x100.png'), options: { checkImageUrl: false } });
		const run = await session.run({ parameters });
		expect(lastFrameReads('100x100.png')).toHaveLength(0);
		expect(submits()).toHaveLength(1);
		expect(run.error.message).toMatch(/^fal could not generate the video \(HTTP 422\): Last Frame URL: Image too small/);
		expect(emu().stats().billed).toBe(0);
	});
});

describe('prices per second, in the output and the spending guard', () => {
	const mixed = [
		{ json: { model: STANDARD_23, duration: '6', resolution: '' } },
		{ json: { model: HAILUO_02, duration: '10', resolution: '768P' } },
		{ json: { model: HAILUO_02, duration: '6', resolution: '512P' } },
	];
	const guarded = (maxSpendUsd) =>
		session.urlParameters({
			model: '={{ $json.model }}',
			duration: '={{ $json.duration }}',
			resolution: '={{ $json.resolution }}',
			prompt: 'x',
			options: { maxSpendUsd },
		});

	test('mixed models in one run: 0.28 + 10 × 0.045 + 6 × 0.017 = USD 0.832, over 0.80: nothing submitted', async () => {
		const run = await session.run({ items: mixed, parameters: guarded(0.8) });
		expect(run.error.message).toBe('3 videos would cost USD 0.832, over the limit of USD 0.80');
		expect(submits()).toHaveLength(0);
	});

	test('the guard compares exact amounts: USD 0.832 is over a limit of 0.83 (not rounded to cents)', async () => {
		const run = await session.run({ items: mixed, parameters: guarded(0.83) });
		expect(run.error.message).toBe('3 videos would cost USD 0.832, over the limit of USD 0.83');
		expect(submits()).toHaveLength(0);
	});

	test('at 0.84 the same run goes ahead; each output\'s costUsd is what the emulator billed', async () => {
		const run = await session.run({ items: mixed, parameters: guarded(0.84) });
		expect(run.status).toBe('success');
		const out = run.output('Hailuo Video').map((item) => item.json);
		expect(out.map((json) => json.costUsd)).toEqual([0.28, 0.45, 0.102]);
		expect(out.map((json) => emu().jobs.get(json.requestId).costUsd)).toEqual([0.28, 0.45, 0.102]);
		expect(submits().map((c) => c.body.resolution)).toEqual([undefined, '768P', '512P']);
		expect(emu().stats().billedUsd).toBe(0.832);
	});

	test('fal\'s live price per second (an ADMIN key) is multiplied by seconds, 512P keeping the list\'s proportion', async () => {
		emu().fault({
			route: 'pricing',
			status: 200,
			body: { prices: [{ endpoint_id: HAILUO_02, unit_price: 0.05, unit: 'second', currency: 'USD' }], has_more: false },
		});
		const run = await session.run({ items: mixed.slice(1), parameters: guarded(0.6), apiKey: session.ADMIN_KEY });
		// 10 × 0.05 = 0.50, and 6 × 0.05 × 0.017 / 0.045 = 0.1133: USD 0.6133
		expect(run.error.message).toBe('2 videos would cost USD 0.6133, over the limit of USD 0.60');
	});

	test('the emulator\'s own price per second, read with an ADMIN key, gives the list figures', async () => {
		const run = await session.run({ items: mixed.slice(1), parameters: guarded(1), apiKey: session.ADMIN_KEY });
		expect(run.status).toBe('success');
		expect(run.output('Hailuo Video').map((item) => [item.json.costUsd, item.json.priceSource])).toEqual([
			[0.45, 'fal pricing API'],
			[0.102, 'fal pricing API'],
		]);
	});
});
