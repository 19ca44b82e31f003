// Generate in n8n's engine against the fal emulator: the everyday paths and their errors.
const { readFileSync, existsSync } = require('node:fs');
const path = require('node:path');
const { startEmulator } = require('./emulator');
const { runWorkflow } = require('./harness');
const { hailuoWorkflow } = require('./workflows');
const { useNodeSession, API_KEY, FIXTURE_VIDEO } = require('./node-session');

const FIXTURE_PNG = readFileSync(path.join(__dirname, 'emulator/fixtures/frame.png'));
const session = useNodeSession();
const urlParameters = session.urlParameters;
const submits = session.submits;
const visible = session.visible;
let emu;
let IMAGE_URL;
beforeAll(() => {
	emu = session.emu;
	IMAGE_URL = session.image();
});

async function generate({ parameters = urlParameters(), items, continueOnFail, apiKey } = {}) {
	return await session.run({ parameters, items, continueOnFail, apiKey });
}

describe('Generate, image URL', () => {
	test('returns the MP4 as binary data and the job in the JSON', async () => {
		const run = await generate();
		expect(run.status).toBe('success');
		const [item] = run.output('Hailuo Video');
		const { requestId } = item.json;
		expect(emu.jobs.has(requestId)).toBe(true);
		expect(item.json).toEqual({
			requestId,
			status: 'COMPLETED',
			videoUrl: `${emu.url}/cdn/${requestId}/output.mp4`,
			fileName: `hailuo-${requestId}.mp4`,
			fileSize: FIXTURE_VIDEO.length,
			mimeType: 'video/mp4',
			// the fixture MP4 (ffprobe: 3.000 s, 432x768, no audio stream)
			durationSeconds: 3,
			width: 432,
			height: 768,
			hasAudio: false,
			duration: 6,
			prompt: 'A cat walks along a wall',
			promptOptimizer: true,
			resolution: '768P',
			imageSource: 'url',
			imageUrl: IMAGE_URL,
			model: 'fal-ai/minimax/hailuo-2.3/standard/image-to-video',
			costUsd: 0.28,
			priceSource: 'list price',
			storeRequestOnFal: true,
			deleteVideoAfterSeconds: null,
			inferenceSeconds: expect.any(Number),
		});
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('the binary is a valid MP4 stored by the filesystem binary data service', async () => {
		const run = await generate();
		const [item] = run.output('Hailuo Video');
		const video = item.binary.data;
		expect(video).toMatchObject({ mimeType: 'video/mp4', fileExtension: 'mp4', fileName: item.json.fileName, bytes: FIXTURE_VIDEO.length });
		expect(video.id).toMatch(/^filesystem-v2:/);
		expect(existsSync(run.pathOf(video))).toBe(true);
		const bytes = await run.bytesOf(video);
		expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
		expect(bytes.equals(FIXTURE_VIDEO)).toBe(true);
	});

	test('sends fal exactly the model input, with the key as "Key <key>"', async () => {
		await generate();
		expect(submits()).toHaveLength(1);
		const [submit] = submits();
		expect(submit.path).toBe('/fal-ai/minimax/hailuo-2.3/standard/image-to-video');
		expect(submit.body).toEqual({ prompt: 'A cat walks along a wall', image_url: IMAGE_URL, duration: '6', prompt_optimizer: true });
		expect(submit.auth).toBe('ok');
		expect(submit.headers.authorization).toBe('Key ***');
		// fal's queue protocol: status and result live under owner/alias, not the full endpoint path
		expect(emu.calls.filter((c) => c.route === 'status').every((c) => c.path.startsWith('/fal-ai/minimax/requests/'))).toBe(true);
		expect(emu.stats()).toMatchObject({ submits: 1, accepted: 1, completed: 1, failed: 0 });
	});

	test('duration 10 is sent as the string "10" and costs USD 0.56', async () => {
		const run = await generate({ parameters: urlParameters({ duration: '10' }) });
		expect(submits()[0].body.duration).toBe('10');
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ duration: 10, costUsd: 0.56 });
	});

	test('prompt optimizer off is sent as false', async () => {
		const run = await generate({ parameters: urlParameters({ promptOptimizer: false }) });
		expect(submits()[0].body.prompt_optimizer).toBe(false);
		expect(run.output('Hailuo Video')[0].json.promptOptimizer).toBe(false);
	});

	test('three items give three videos, in order, each paired with its item', async () => {
		const items = ['a red fox', 'a blue whale', 'a green parrot'].map((animal) => ({ json: { animal } }));
		const run = await generate({ items, parameters: urlParameters({ prompt: '={{ "Close-up of " + $json.animal }}' }) });
		const out = run.output('Hailuo Video');
		expect(out.map((item) => item.json.prompt)).toEqual(['Close-up of a red fox', 'Close-up of a blue whale', 'Close-up of a green parrot']);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(new Set(out.map((item) => item.json.requestId)).size).toBe(3);
		expect(out.every((item) => item.binary.data.mimeType === 'video/mp4')).toBe(true);
		expect(emu.stats()).toMatchObject({ accepted: 3, duplicates: 0 });
	});

	test('Download Video off returns the URL and no binary', async () => {
		const run = await generate({ parameters: urlParameters({ options: { download: false } }) });
		const [item] = run.output('Hailuo Video');
		expect(item.binary).toBeUndefined();
		expect(item.json.videoUrl).toMatch(/\/cdn\/.+\/output\.mp4$/);
		expect(emu.calls.filter((c) => c.route === 'cdn')).toHaveLength(0);
	});

	test('file name and output field options are honoured', async () => {
		const run = await generate({ parameters: urlParameters({ options: { fileName: 'teaser', binaryPropertyOutput: 'video' } }) });
		const [item] = run.output('Hailuo Video');
		expect(item.binary.data).toBeUndefined();
		expect(item.binary.video.fileName).toBe('teaser.mp4');
		expect(item.json.fileName).toBe('teaser.mp4');
	});
});

describe('Generate, binary image', () => {
	const pngItem = { json: {}, binary: { data: { path: 'emulator/fixtures/frame.png', mimeType: 'image/png' } } };

	test('uploads the image to fal storage and uses its URL as image_url', async () => {
		const run = await generate({ items: [pngItem], parameters: { prompt: 'Waves roll in', imageSource: 'binary', binaryPropertyName: 'data' } });
		expect(run.status).toBe('success');
		const [item] = run.output('Hailuo Video');
		const initiate = emu.calls.find((c) => c.route === 'initiate');
		expect(initiate.body).toEqual({ content_type: 'image/png', file_name: 'frame.png' });
		const imageUrl = submits()[0].body.image_url;
		expect(emu.uploads.get(imageUrl).bytes.equals(FIXTURE_PNG)).toBe(true);
		expect(item.json).toMatchObject({ imageSource: 'binary', imageUrl });
		expect((await run.bytesOf(item.binary.data)).toString('latin1', 4, 8)).toBe('ftyp');
	});

	test('a missing binary field is a clear error before anything is sent', async () => {
		const run = await generate({ items: [{ json: {} }], parameters: { prompt: 'x', imageSource: 'binary', binaryPropertyName: 'photo' } });
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/photo/);
		expect(emu.calls.filter((c) => c.route !== 'admin')).toHaveLength(0);
	});

	test('a binary that is not an image is refused by its bytes, whatever its mime type says', async () => {
		const fake = { json: {}, binary: { data: { path: 'emulator/fixtures/video.mp4', mimeType: 'image/png', fileName: 'x.png' } } };
		const run = await generate({ items: [fake], parameters: { prompt: 'x', imageSource: 'binary' } });
		expect(run.error.message).toBe('Input Binary Field "data": is not a JPEG, PNG or WebP image (item 0)');
		expect(submits()).toHaveLength(0);
	});
});

describe('Generate, errors', () => {
	test('a wrong key gives a clear 401 error that does not show the key', async () => {
		const wrongKey = 'fal-wrong-key-93af01';
		const run = await generate({ apiKey: wrongKey });
		expect(run.status).toBe('error');
		// fal's docs do not say that a refused key gets a request id: the emulator sends none (the stricter reading)
		expect(run.error.message).toMatch(/^fal rejected the API key \(HTTP 401\) \(item 0\)$/);
		expect(run.error.description).toMatch(/Check the API key/);
		expect(run.error.httpCode).toBe('401');
		expect(visible(run)).not.toContain(wrongKey);
		expect(emu.stats().accepted).toBe(0);
	});

	test('a key pasted as "Bearer <key>" still works', async () => {
		const run = await generate({ apiKey: `Bearer ${API_KEY}` });
		expect(run.status).toBe('success');
	});

	test('a 422 from fal names our parameter and keeps fal\'s message', async () => {
		emu.fault({ route: 'submit', status: 422, body: { detail: [{ loc: ['body', 'image_url'], msg: 'Image could not be loaded', type: 'value_error' }] } });
		const run = await generate();
		expect(run.error.message).toMatch(/^fal rejected the input \(HTTP 422\): Image URL: Image could not be loaded \(item 0, fal request [\w-]+\)$/);
		expect(run.error.httpCode).toBe('422');
	});

	test('a failed generation is an error with fal\'s message and the request id', async () => {
		const run = await generate({ parameters: urlParameters({ prompt: 'Explode [emulator:fail]' }) });
		expect(run.status).toBe('error');
		const [job] = [...emu.jobs.values()];
		// the status said COMPLETED with an error; the result call gives fal's HTTP status and details
		expect(run.error.message).toBe(`fal could not generate the video (HTTP 500): Generation failed (emulator) (item 0, fal request ${job.requestId})`);
		expect(run.error.httpCode).toBe('500');
		expect(run.error.context.requestId).toBe(job.requestId);
		expect(emu.calls.filter((c) => c.route === 'result')).toHaveLength(1);
	});

	test('continue on fail: the failing item becomes an error item, the others still get their videos', async () => {
		const items = [{ json: { p: 'one' } }, { json: { p: 'two [emulator:fail]' } }, { json: { p: 'three' } }];
		const run = await generate({ items, continueOnFail: true, parameters: urlParameters({ prompt: '={{ $json.p }}' }) });
		expect(run.status).toBe('success');
		const out = run.output('Hailuo Video');
		expect(out).toHaveLength(3);
		expect(out[0].binary.data.mimeType).toBe('video/mp4');
		expect(out[2].binary.data.mimeType).toBe('video/mp4');
		expect(out[1].binary).toBeUndefined();
		expect(out[1].json.error).toMatch(/^fal could not generate the video/);
		expect(out[1].json.requestId).toEqual(expect.any(String));
		expect(emu.jobs.get(out[1].json.requestId).input.prompt).toBe('two [emulator:fail]');
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('bad input stops the run before any job is submitted, naming the parameter and the item', async () => {
		const items = [{ json: { p: 'fine' } }, { json: { p: '' } }, { json: { p: 'fine too' } }];
		const run = await generate({ items, parameters: urlParameters({ prompt: '={{ $json.p }}' }) });
		expect(run.status).toBe('error');
		expect(run.error.message).toBe('Prompt: is empty (item 1)');
		expect(submits()).toHaveLength(0);
	});

	test('with continue on fail, a bad item fails alone and the others are generated', async () => {
		const items = [{ json: { url: IMAGE_URL } }, { json: { url: 'ftp://example.com/x.jpg' } }];
		const run = await generate({ items, continueOnFail: true, parameters: urlParameters({ imageUrl: '={{ $json.url }}' }) });
		const out = run.output('Hailuo Video');
		expect(out[0].json.requestId).toEqual(expect.any(String));
		expect(out[1].json.error).toBe('Image URL: must start with http:// or https:// (or be a data:image URI) (item 1)');
		expect(submits()).toHaveLength(1);
	});

	test('a prompt over the model\'s limit is refused before submitting', async () => {
		const run = await generate({ parameters: urlParameters({ prompt: 'x'.repeat(2001) }) });
		expect(run.error.message).toBe('Prompt: is 2001 characters long; the model takes at most 2000 (item 0)');
		expect(submits()).toHaveLength(0);
	});
});

describe('Generate, transient faults', () => {
	test('an unreachable fal is named in words, never as a bare error code', async () => {
		const closed = await startEmulator({ apiKey: API_KEY });
		const deadUrl = closed.url;
		await closed.close();
		const run = await runWorkflow(hailuoWorkflow({ parameters: urlParameters() }), {
			credentials: { hailuoApi: { apiKey: API_KEY, baseUrl: deadUrl } },
		});
		expect(run.status).toBe('error');
		// n8n replaces any message holding a code such as ECONNREFUSED with a generic sentence
		expect(run.error.message).toBe('Could not reach fal to submit the job: the connection was refused (item 0)');
	});

	test('a 429 on submit is retried (fal cannot have accepted the job) and makes one job', async () => {
		emu.fault({ route: 'submit', status: 429, headers: { 'retry-after': '0' } });
		const run = await generate();
		expect(run.status).toBe('success');
		expect(submits()).toHaveLength(2);
		expect(emu.stats()).toMatchObject({ accepted: 1, duplicates: 0 });
	});

	test('a 502 on submit is not retried: fal may have accepted the job', async () => {
		emu.fault({ route: 'submit', status: 502 });
		const run = await generate();
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^The submit may have reached fal, which may bill the job: fal answered HTTP 502/);
		expect(submits()).toHaveLength(1);
	});

	test('a 503 on the status stream falls back to a status read, and the video still arrives', async () => {
		emu.fault({ route: 'stream', status: 503, headers: { 'retry-after': '0' } });
		const run = await generate();
		expect(run.status).toBe('success');
		expect(emu.calls.some((c) => c.route === 'stream' && c.status === 503)).toBe(true);
		expect(emu.calls.some((c) => c.route === 'status')).toBe(true);
	});

	test('the API key never appears in the output, errors or the emulator\'s record', async () => {
		// the stream refused, so that the status read happens and meets the 500
		emu.fault([{ route: 'stream', status: 405, times: 10 }, { route: 'status', status: 500 }]);
		const runs = [await generate(), await generate({ parameters: urlParameters({ prompt: '[emulator:fail]' }) })];
		expect(emu.calls.some((c) => c.route === 'status' && c.status === 500)).toBe(true);
		for (const run of runs) expect(visible(run)).not.toContain(API_KEY);
		expect(JSON.stringify(emu.calls)).not.toContain(API_KEY);
		// what really arrived: the key only in fal's Authorization header
		expect(session.keyLeaks()).toEqual([]);
	});
});
