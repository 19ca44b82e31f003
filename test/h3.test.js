// MiniMax's H3 Max and H3 Max Turbo in n8n's engine, against the emulator's own reading of fal's H3 endpoints (its
// schema is written apart from the node's table, so a wrong row is refused as fal would refuse it): an image-to-video
// job with a last frame, a text-to-video job priced per second, reference images from a URL and a binary field, every
// setting by expression, every bad input refused before anything is sent, the by-id operations and the trigger on an
// H3 job (its queue app is `minimax/h3-max`, not `fal-ai/minimax`), and the video's facts read from the MP4.
const { serveTrigger } = require('./harness/webhook');
const { useNodeSession } = require('./node-session');
const { hookWorkflow, answeredDeliveries } = require('./trigger-helpers');

const session = useNodeSession({ queueMs: 20, progressMs: 80, webhookRetryMs: 600_000 });
const { submits } = session;
const emu = () => session.emu;

const MAX_I2V = 'minimax/h3-max/image-to-video';
const MAX_REF = 'minimax/h3-max/reference-to-video';
const TURBO_T2V = 'minimax/h3-max-turbo/text-to-video';

const h3 = (model, extra = {}) => ({ model, prompt: 'A lighthouse keeper climbs the stairs at dusk', ...extra });
const binaryFrame = { path: 'emulator/fixtures/frame.png', mimeType: 'image/png', fileName: 'hero.png' };

test('H3 Max image to video with a last frame, 768P, 8 s: sent as fal takes it, priced per second, a video with sound', async () => {
	const parameters = h3(MAX_I2V, {
		imageSource: 'url',
		imageUrl: session.image(),
		lastFrameSource: 'url',
		lastFrameUrl: session.image('png/640x480.png'),
		resolution: '768P',
		durationSeconds: 8,
	});
	const run = await session.run({ parameters });
	await session.expectNoHarm(run);
	const [submit] = submits();
	expect(submit.path).toBe(`/${MAX_I2V}`);
	expect(submit.body).toEqual({
		prompt: parameters.prompt,
		image_url: session.image(),
		end_image_url: session.image('png/640x480.png'),
		duration: 8,
		resolution: '768P',
		prompt_expansion_mode: 'balanced',
	});
	const [item] = run.output('Hailuo Video');
	expect(item.json).toMatchObject({ model: MAX_I2V, duration: 8, resolution: '768P', promptExpansion: 'balanced', costUsd: 0.64, hasAudio: true });
	expect(item.json).not.toHaveProperty('promptOptimizer');
	expect(emu().jobs.get(item.json.requestId).costUsd).toBe(0.64);
	// its status and result were read under H3 Max's own queue app
	expect(session.calls('result').map((call) => call.path)).toEqual([`/minimax/h3-max/requests/${item.json.requestId}`]);
});

test('H3 Max Turbo text to video at 480P, 9:16, 5 s: USD 0.125', async () => {
	const run = await session.run({ parameters: h3(TURBO_T2V, { resolution: '480P', durationSeconds: 5, aspectRatio: '9:16', promptExpansion: 'disabled' }) });
	await session.expectNoHarm(run);
	expect(submits()[0].body).toEqual({
		prompt: 'A lighthouse keeper climbs the stairs at dusk',
		duration: 5,
		resolution: '480P',
		aspect_ratio: '9:16',
		prompt_expansion_mode: 'disabled',
	});
	const [item] = run.output('Hailuo Video');
	expect(item.json).toMatchObject({ costUsd: 0.125, priceSource: 'list price', aspectRatio: '9:16', imageSource: null });
	expect(emu().jobs.get(item.json.requestId).costUsd).toBe(0.125);
});

test('H3 Max reference images: one by URL, one from a binary field (uploaded to fal storage, as frames are)', async () => {
	const parameters = h3(MAX_REF, {
		prompt: 'Image 1 walks into the shop of Image 2',
		referenceImages: { image: [{ source: 'url', url: session.image() }, { source: 'binary', binaryPropertyName: 'hero' }] },
	});
	const run = await session.run({ items: [{ json: {}, binary: { hero: binaryFrame } }], parameters });
	await session.expectNoHarm(run);
	const [fileUrl] = [...emu().uploads.keys()];
	const upload = { fileUrl };
	expect(submits()[0].body.reference_image_urls).toEqual([session.image(), upload.fileUrl]);
	const [item] = run.output('Hailuo Video');
	expect(item.json).toMatchObject({ referenceImageSources: ['url', 'binary'], referenceImageUrls: [session.image(), upload.fileUrl] });
	// fal's runner read both references
	const job = emu().jobs.get(item.json.requestId);
	expect(job.billed).toBe(true);
	expect(item.json.costUsd).toBe(job.costUsd);
});

test('reference images by expression: an Image URL giving a list stands for as many references, per item', async () => {
	const items = [{ json: { photos: [session.image(), session.image('png/640x480.png')] } }, { json: { photos: [session.image()] } }];
	const parameters = h3(MAX_REF, { referenceImages: { image: [{ source: 'url', url: '={{ $json.photos }}' }] } });
	const run = await session.run({ items, parameters });
	await session.expectNoHarm(run);
	const sent = submits().map((call) => call.body.reference_image_urls).sort((a, b) => b.length - a.length);
	expect(sent).toEqual([[session.image(), session.image('png/640x480.png')], [session.image()]]);
});

test('every H3 setting by expression, per item', async () => {
	const items = [
		{ json: { m: TURBO_T2V, d: '6', r: '1080p', a: '1:1', e: 'quality' } },
		{ json: { m: TURBO_T2V, d: 12, r: '480P', a: '16:9', e: 'balanced' } },
	];
	// with the Model by expression, n8n shows every field: a required Image URL would stop the run, so the (unread)
	// first frame's source is the binary field, whose name has a default
	const parameters = h3('={{ $json.m }}', {
		imageSource: 'binary',
		durationSeconds: '={{ $json.d }}',
		resolution: '={{ $json.r }}',
		aspectRatio: '={{ $json.a }}',
		promptExpansion: '={{ $json.e }}',
	});
	const run = await session.run({ items, parameters });
	await session.expectNoHarm(run);
	const bodies = submits().map((call) => call.body).sort((a, b) => a.duration - b.duration);
	expect(bodies.map((b) => [b.duration, b.resolution, b.aspect_ratio, b.prompt_expansion_mode])).toEqual([
		[6, '1080P', '1:1', 'quality'],
		[12, '480P', '16:9', 'balanced'],
	]);
	// 6 × 0.08 and 12 × 0.025
	expect(run.output('Hailuo Video').map((item) => item.json.costUsd)).toEqual([0.48, 0.3]);
});

describe('each bad input is refused before anything is sent, naming the parameter and the item', () => {
	test.each([
		['a duration under 5', { durationSeconds: 4 }, 'Duration (Seconds): must be a whole number from 5 to 15 seconds, not "4" (item 0)'],
		['a duration over 15', { durationSeconds: 16 }, 'Duration (Seconds): must be a whole number from 5 to 15 seconds, not "16" (item 0)'],
		['a fraction of a second', { durationSeconds: 8.5 }, 'Duration (Seconds): must be a whole number from 5 to 15 seconds, not "8.5" (item 0)'],
		['a resolution H3 does not make', { resolution: '512P' }, 'Resolution: must be 480p, 768p or 1080p, not "512P" (item 0)'],
		['an unknown prompt expansion', { promptExpansion: 'fast' }, 'Prompt Expansion: must be disabled, balanced or quality, not "fast" (item 0)'],
		['an aspect ratio fal does not take', { aspectRatio: '4:3' }, 'Aspect Ratio: must be 16:9, 9:16 or 1:1, not "4:3" (item 0)'],
		['a prompt over 50,000 characters', { prompt: 'x'.repeat(50_001) }, 'Prompt: is 50001 characters long; the model takes at most 50000 (item 0)'],
	])('%s', async (_, extra, message) => {
		const run = await session.run({ parameters: h3(TURBO_T2V, extra) });
		expect(run.status).toBe('error');
		expect(run.error.message).toBe(message);
		expect(run.error.description).toMatch(/Nothing was sent to fal for this item\.$/);
		expect(submits()).toHaveLength(0);
	});

	test.each([
		['no reference image', [], 'Reference Images: has 0 images; the model takes 1 to 9 (item 0)'],
		['ten reference images', Array(10).fill({ source: 'url', url: 'REF' }), 'Reference Images: has 10 images; the model takes 1 to 9 (item 0)'],
		['a reference image too small', [{ source: 'url', url: 'REF' }, { source: 'url', url: 'SMALL' }], 'Reference Image 2 URL: is 100×100 px; its short side must be over 300 px (item 0)'],
	])('%s', async (_, images, message) => {
		const url = (u) => (u === 'SMALL' ? session.image('png/100x100.png') : session.image());
		const run = await session.run({ parameters: h3(MAX_REF, { referenceImages: { image: images.map((i) => ({ ...i, url: url(i.url) })) } }) });
		expect(run.error.message).toBe(message);
		expect(submits()).toHaveLength(0);
	});

	test('a 15 s H3 Max video at 1080p is USD 2.40: Max Spend per Run stops a batch of three over USD 7', async () => {
		const items = [{ json: {} }, { json: {} }, { json: {} }];
		const run = await session.run({ items, parameters: h3(MAX_I2V, { imageUrl: session.image(), resolution: '1080P', durationSeconds: 15, options: { maxSpendUsd: 7 } }) });
		expect(run.error.message).toBe('3 videos would cost USD 7.20, over the limit of USD 7.00');
		expect(submits()).toHaveLength(0);
	});
});

describe('an H3 job by its request ID (its queue app is minimax/h3-max)', () => {
	async function submitted(model = MAX_I2V) {
		const run = await session.run({ parameters: h3(model, { operation: 'submit', imageUrl: session.image() }) });
		return run.output('Hailuo Video')[0].json.requestId;
	}
	const followUp = async (operation, requestId, options = {}) => await session.run({ parameters: { operation, requestId, options } });

	test('Get Status finds it: the default model\'s app answers 404 first, at no cost', async () => {
		const requestId = await submitted();
		const run = await followUp('getStatus', requestId);
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ requestId, status: expect.stringMatching(/IN_QUEUE|IN_PROGRESS|COMPLETED/) });
		expect(session.calls('status').map((call) => [call.path.split('/requests/')[0], call.status])).toEqual([
			['/fal-ai/minimax', 404],
			['/minimax/h3-max', expect.any(Number)],
		]);
	});

	test('Get Result with Wait for the Video gives its video with its sound', async () => {
		const requestId = await submitted();
		const run = await followUp('getResult', requestId, { waitForVideo: true });
		await session.expectNoHarm(run);
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ requestId, hasAudio: true, mimeType: 'video/mp4' });
	});

	test('Cancel cancels it under its own app', async () => {
		const busy = await session.run({ parameters: h3(MAX_I2V, { operation: 'submit', imageUrl: session.image(), prompt: 'long [emulator:ms=20000]' }) });
		const { requestId } = busy.output('Hailuo Video')[0].json;
		const run = await followUp('cancel', requestId);
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ cancelled: true, falAnswer: 'CANCELLATION_REQUESTED' });
		expect(session.calls('cancel').map((call) => call.path)).toEqual([`/fal-ai/minimax/requests/${requestId}/cancel`, `/minimax/h3-max/requests/${requestId}/cancel`]);
		await session.eventually(() => emu().stats().running === 0);
	});

	test('the Hailuo Trigger delivers an H3 job\'s video, read from its own app', async () => {
		const hook = await serveTrigger({ workflow: hookWorkflow(), credentials: session.credentials() });
		try {
			const run = await session.run({ parameters: h3(MAX_I2V, { operation: 'submit', imageUrl: session.image(), options: { webhookUrl: hook.url } }) });
			const { requestId } = run.output('Hailuo Video')[0].json;
			await answeredDeliveries(session, requestId, 1);
			await hook.idle();
			const [execution] = await hook.runs();
			expect(execution.status).toBe('success');
			const [item] = execution.output('Hailuo Trigger');
			expect(item.json).toMatchObject({ requestId, status: 'OK', hasAudio: true });
			expect(session.calls('result').map((call) => call.path)).toEqual([`/minimax/h3-max/requests/${requestId}`]);
		} finally {
			await hook.close();
		}
	});
});

test('a Hailuo 02 text-to-video job: 768p, priced per second (6 × 0.045)', async () => {
	const run = await session.run({ parameters: { model: 'fal-ai/minimax/hailuo-02/standard/text-to-video', prompt: 'Rain on a tin roof' } });
	await session.expectNoHarm(run);
	expect(submits()[0].body).toEqual({ prompt: 'Rain on a tin roof', duration: '6', prompt_optimizer: true });
	expect(run.output('Hailuo Video')[0].json).toMatchObject({ resolution: '768P', duration: 6, costUsd: 0.27, hasAudio: false });
});

describe('camera movement (Hailuo 2.3 and 02)', () => {
	test('written into the prompt as MiniMax\'s camera command, at its start', async () => {
		const run = await session.run({ parameters: session.urlParameters({ cameraMovement: ['Pan left', 'Push in'] }) });
		expect(submits()[0].body.prompt).toBe('[Pan left, Push in] A cat walks along a wall');
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ cameraMovement: ['Pan left', 'Push in'], prompt: '[Pan left, Push in] A cat walks along a wall' });
	});

	test('more than three at once is refused before anything is sent', async () => {
		const run = await session.run({ parameters: session.urlParameters({ cameraMovement: ['Pan left', 'Push in', 'Tilt up', 'Shake'] }) });
		expect(run.error.message).toBe('Camera Movement: has 4 moves; MiniMax takes at most 3 at once (item 0)');
		expect(submits()).toHaveLength(0);
	});

	test('not offered to H3, which has its own prompt grammar: a value set anyway is not written into the prompt', async () => {
		await session.run({ parameters: h3(TURBO_T2V, { cameraMovement: ['Pan left'] }) });
		expect(submits()[0].body.prompt).toBe('A lighthouse keeper climbs the stairs at dusk');
	});
});

describe('a parameter set on the node that the item\'s model does not take is said, not silently dropped', () => {
	test('Duration 10 s with the Model by expression on a Pro model: a 6 s video, and the output says Duration did not apply', async () => {
		const parameters = session.urlParameters({ model: '={{ $json.m }}', duration: '10', imageSource: 'url' });
		const run = await session.run({ items: [{ json: { m: 'fal-ai/minimax/hailuo-2.3/pro/image-to-video' } }], parameters });
		await session.expectNoHarm(run);
		expect(submits()[0].body).not.toHaveProperty('duration');
		const [item] = run.output('Hailuo Video');
		expect(item.json.duration).toBe(6);
		expect(item.json.notices).toEqual(['Duration does not apply to Hailuo 2.3 Pro · Image to Video (1080p, 6 s): it was not sent; its videos are 6 s.']);
	});

	test('camera moves and Prompt Optimizer set for an H3 model by expression', async () => {
		const parameters = h3('={{ $json.m }}', { imageSource: 'binary', cameraMovement: ['Pan left'], promptOptimizer: false });
		const run = await session.run({ items: [{ json: { m: TURBO_T2V } }], parameters });
		expect(run.output('Hailuo Video')[0].json.notices).toEqual([
			'Camera Movement does not apply to H3 Max Turbo · Text to Video, with Sound (480p–1080p, 5–15 s): it was not sent.',
			'Prompt Optimizer does not apply to H3 Max Turbo · Text to Video, with Sound (480p–1080p, 5–15 s): it was not sent.',
		]);
	});

	test('nothing set beyond the model\'s own fields: no notices', async () => {
		const run = await session.run();
		expect(run.output('Hailuo Video')[0].json).not.toHaveProperty('notices');
	});
});
