// Submit now, collect later: Submit (with a webhook), Get Status, Get Result and Cancel, each run by
// n8n's engine against the emulator; jobs are followed across separate executions by request ID.
const http = require('node:http');
const { useNodeSession } = require('./node-session');

const session = useNodeSession({ queueMs: 300, progressMs: 600, cancelMs: 100 });
const { urlParameters, submits, calls } = session;
const emu = () => session.emu;

const submit = (extra = {}) => session.run({ parameters: { operation: 'submit', ...urlParameters(extra) } });
const followUp = (operation, requestId, extra = {}) => session.run({ parameters: { operation, requestId, ...extra } });
const waitForJob = (requestId, status) => session.eventually(() => emu().jobs.get(requestId)?.status === status);
const json = (run) => run.output('Hailuo Video')[0].json;

describe('Submit', () => {
	test('several items with the execution\'s resume URL as Webhook URL are refused before anything is paid', async () => {
		const items = [{ json: {} }, { json: {} }, { json: {} }];
		const run = await session.run({ items, parameters: { operation: 'submit', ...urlParameters({ options: { webhookUrl: '={{ $execution.resumeUrl }}' } }) } });
		expect(run.error.message).toBe("Webhook URL: 3 items would send their jobs' webhooks to this execution's resume URL, which only one of them can resume");
		expect(run.error.description).toMatch(/Hailuo Trigger/);
		expect(submits()).toHaveLength(0);
	});

	test('one item with the resume URL is fine (its Wait node resumes with it)', async () => {
		const run = await submit({ options: { webhookUrl: '={{ $execution.resumeUrl }}' } });
		expect(run.status).toBe('success');
		expect(submits()).toHaveLength(1);
	});

	test('returns at once with the request ID, no binary, and the job still queued on fal', async () => {
		const run = await submit();
		expect(run.status).toBe('success');
		const [item] = run.output('Hailuo Video');
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({
			requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
			status: 'IN_QUEUE',
			model: 'fal-ai/minimax/hailuo-2.3/standard/image-to-video',
			prompt: 'A cat walks along a wall',
			duration: 6,
			costUsd: 0.28,
			imageUrl: session.image(),
			webhookUrl: null,
		});
		expect(emu().jobs.get(item.json.requestId).status).toBe('IN_QUEUE');
		expect(calls('stream')).toHaveLength(0);
		expect(calls('result')).toHaveLength(0);
	});

	test('makes every check Generate makes: a too small image is refused with 0 submits', async () => {
		const run = await submit({ imageUrl: session.image('png/100x100.png') });
		expect(run.error.message).toMatch(/^Image URL: is 100×100 px/);
		expect(submits()).toHaveLength(0);
	});

	test('a Webhook URL that is not http(s) is refused before anything is sent', async () => {
		const run = await submit({ options: { webhookUrl: 'ftp://example.com/hook' } });
		expect(run.error.message).toBe('Webhook URL: "ftp://example.com/hook" is not an http(s) URL (item 0)');
		expect(submits()).toHaveLength(0);
	});
});

describe('the webhook', () => {
	let receiver;
	let deliveries;
	beforeAll(async () => {
		receiver = http.createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				deliveries.push(JSON.parse(body));
				res.end('{}');
			});
		});
		await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	});
	afterAll(() => new Promise((resolve) => receiver.close(resolve)));
	beforeEach(() => (deliveries = []));
	const hookUrl = () => `http://127.0.0.1:${receiver.address().port}/webhook-waiting/123`;

	test('Submit passes it as fal_webhook, and fal calls it when the job ends', async () => {
		const run = await submit({ options: { webhookUrl: hookUrl() } });
		const { requestId } = json(run);
		expect(submits()[0].query.fal_webhook).toBe(hookUrl());
		await session.eventually(() => deliveries.length === 1);
		expect(deliveries[0]).toMatchObject({ request_id: requestId, status: 'OK', payload: { video: { url: expect.any(String) } } });
	});

	test('Get Result takes a request ID and nothing else that names a file: a webhook body cannot slip a video URL in', async () => {
		const { node } = require('./harness/node-types').loadPackage();
		const shownFor = (operation) =>
			node.description.properties.filter((p) => p.displayOptions?.show?.operation?.includes(operation));
		const fields = shownFor('getResult');
		expect(fields.map((p) => p.name)).toEqual(['requestId', 'options']);
		const options = fields[1].options.map((o) => o.name);
		expect(options.filter((name) => /url/i.test(name))).toEqual([]);
		// and what it downloads is the file fal names for that request id, on fal's (the emulator's) CDN
		const run = await submit();
		const { requestId } = json(run);
		await waitForJob(requestId, 'COMPLETED');
		const forged = { body: { request_id: requestId, status: 'OK', payload: { video: { url: `${emu().otherUrl}/evil.mp4` } } } };
		const result = await session.run({
			items: [{ json: forged }],
			parameters: { operation: 'getResult', requestId: '={{ $json.body.request_id }}' },
		});
		expect(json(result).videoUrl).toBe(`${emu().url}/cdn/${requestId}/output.mp4`);
		expect(emu().otherCalls).toHaveLength(0);
		await session.expectNoHarm(result);
	});
});

describe('Get Status through the life of a job', () => {
	test('IN_QUEUE with its position, IN_PROGRESS, then COMPLETED with the inference time (and logs when asked)', async () => {
		const { requestId } = json(await submit());
		const queued = json(await followUp('getStatus', requestId));
		expect(queued).toMatchObject({ requestId, status: 'IN_QUEUE', queuePosition: 0, ended: false, logs: null });
		await waitForJob(requestId, 'IN_PROGRESS');
		expect(json(await followUp('getStatus', requestId))).toMatchObject({ status: 'IN_PROGRESS', ended: false });
		await waitForJob(requestId, 'COMPLETED');
		const done = json(await followUp('getStatus', requestId, { options: { includeLogs: true } }));
		expect(done).toMatchObject({ status: 'COMPLETED', ended: true, failed: false, inferenceSeconds: expect.any(Number) });
		expect(done.logs.length).toBeGreaterThan(0);
	});

	test('a failed job says so, with fal\'s error', async () => {
		const { requestId } = json(await submit({ prompt: 'boom [emulator:fail]' }));
		await waitForJob(requestId, 'COMPLETED');
		expect(json(await followUp('getStatus', requestId))).toMatchObject({ status: 'COMPLETED', failed: true, error: 'Generation failed (emulator)' });
	});
});

describe('Get Result', () => {
	test('a finished job: the video as Generate outputs it', async () => {
		const { requestId } = json(await submit());
		await waitForJob(requestId, 'COMPLETED');
		const run = await followUp('getResult', requestId, { options: { fileName: 'collected' } });
		const [item] = run.output('Hailuo Video');
		expect(item.json).toMatchObject({ requestId, status: 'COMPLETED', fileName: 'collected.mp4', mimeType: 'video/mp4', videoUrl: expect.stringContaining(requestId) });
		expect(item.binary.data).toMatchObject({ mimeType: 'video/mp4', fileName: 'collected.mp4' });
		await session.expectNoHarm(run);
	});

	test('an unfinished job is a clear error', async () => {
		const { requestId } = json(await submit());
		const run = await followUp('getResult', requestId);
		expect(run.error.message).toBe(`The video is not ready: the job is still IN_QUEUE, position 0 (item 0, fal request ${requestId})`);
		expect(calls('cdn')).toHaveLength(0);
	});

	test('Wait for the Video: an unfinished job is followed to its end, several items at once; none is cancelled', async () => {
		const requestIds = [];
		for (let i = 0; i < 3; i++) requestIds.push(json(await submit({ prompt: `wait ${i} [emulator:ms=600]` })).requestId);
		const items = requestIds.map((requestId) => ({ json: { requestId } }));
		const run = await session.run({ items, parameters: { operation: 'getResult', requestId: '={{ $json.requestId }}', options: { waitForVideo: true } } });
		await session.expectNoHarm(run);
		expect(run.output('Hailuo Video').map((item) => item.json.requestId)).toEqual(requestIds);
		expect(requestIds.every((id) => !emu().jobs.get(id).cancelRequested)).toBe(true);
	});

	test('Wait for the Video on a job that stalls: the item fails, and the job is not cancelled (it is not this run\'s)', async () => {
		const { requestId } = json(await submit({ prompt: 'long [emulator:ms=30000]' }));
		const run = await followUp('getResult', requestId, { options: { waitForVideo: true, timeoutMinutes: 0.02 } });
		expect(run.error.message).toMatch(/^The video was not ready: the job ran 1 s without finishing \(last status IN_PROGRESS\); it was not cancelled/);
		expect(emu().jobs.get(requestId).cancelRequested).toBe(false);
		await session.eventually(() => emu().jobs.get(requestId).status === 'COMPLETED', 40_000);
	}, 60_000);

	test('a failed job gives fal\'s reason', async () => {
		const { requestId } = json(await submit({ prompt: 'boom [emulator:fail]' }));
		await waitForJob(requestId, 'COMPLETED');
		const run = await followUp('getResult', requestId);
		expect(run.error.message).toBe(`fal could not generate the video (HTTP 500): Generation failed (emulator) (item 0, fal request ${requestId})`);
	});

	test('Download Video off gives the URL only', async () => {
		const { requestId } = json(await submit());
		await waitForJob(requestId, 'COMPLETED');
		const [item] = (await followUp('getResult', requestId, { options: { download: false } })).output('Hailuo Video');
		expect(item.binary).toBeUndefined();
		expect(calls('cdn')).toHaveLength(0);
	});
});

describe('Cancel', () => {
	test('while queued: cancelled, and never billed', async () => {
		const { requestId } = json(await submit());
		expect(json(await followUp('cancel', requestId))).toEqual({
			requestId,
			cancelled: true,
			falAnswer: 'CANCELLATION_REQUESTED',
			message: 'fal accepted the cancel: a queued job is dropped and not billed; a running job is asked to stop',
		});
		expect(emu().jobs.get(requestId)).toMatchObject({ status: 'CANCELLED', billed: false });
	});

	test('while running: the runner is asked to stop, and the job ends', async () => {
		const { requestId } = json(await submit());
		await waitForJob(requestId, 'IN_PROGRESS');
		expect(json(await followUp('cancel', requestId))).toMatchObject({ cancelled: true, falAnswer: 'CANCELLATION_REQUESTED' });
		await session.eventually(() => emu().stats().running === 0);
		expect(emu().jobs.get(requestId).billed).toBe(false);
	});

	test('after the job ended: nothing to cancel, said in words', async () => {
		const { requestId } = json(await submit());
		await waitForJob(requestId, 'COMPLETED');
		expect(json(await followUp('cancel', requestId))).toMatchObject({
			cancelled: false,
			falAnswer: 'ALREADY_COMPLETED',
			message: 'the job had already ended; nothing was cancelled',
		});
	});
});

describe('request IDs', () => {
	const unknown = '00000000-0000-4000-8000-000000000000';

	test('an ID fal does not know: Get Status and Get Result say fal does not know it (404 in every model\'s queue), Cancel says NOT_FOUND', async () => {
		const status = await followUp('getStatus', unknown);
		expect(status.error.message).toBe(`fal does not know the request ID ${unknown}: HTTP 404 from every model's queue (item 0)`);
		expect(status.error.description).toMatch(/^fal answered 404 under fal-ai\/minimax, minimax\/h3-max, minimax\/h3-max-turbo: there is no such job for this API key\. Causes: a typo in the ID, a job of another fal account/);
		expect(status.error.description).not.toMatch(/may still be running/);
		// one status read per queue app, nothing else
		expect(session.calls('status').map((call) => call.path.split('/requests/')[0])).toEqual(['/fal-ai/minimax', '/minimax/h3-max', '/minimax/h3-max-turbo']);
		const result = await followUp('getResult', unknown);
		expect(result.error.httpCode).toBe('404');
		expect(result.error.message).toMatch(/^fal does not know the request ID/);
		expect(json(await followUp('cancel', unknown))).toMatchObject({ cancelled: false, falAnswer: 'NOT_FOUND' });
	});

	test.each(['getStatus', 'getResult', 'cancel'])('%s refuses a malformed ID before any call', async (operation) => {
		const run = await followUp(operation, 'not-a-request-id');
		expect(run.error.message).toBe(
			'Request ID: "not-a-request-id" is not a fal request ID (a UUID such as 764cabcf-b745-4b3e-ae38-1200304cf45b) nor a fal URL of a job (…/requests/<id>/status) (item 0)',
		);
		expect(emu().calls).toHaveLength(0);
	});

	test('a fal URL of the job pasted as the Request ID is taken: its ID, and its queue app asked first and alone', async () => {
		const { requestId } = json(await submit());
		const pasted = `https://queue.fal.run/fal-ai/minimax/requests/${requestId}/status?logs=1`;
		const run = await followUp('getStatus', pasted);
		expect(json(run)).toMatchObject({ requestId });
		expect(session.calls('status').map((call) => call.path)).toEqual([`/fal-ai/minimax/requests/${requestId}/status`]);
	});

	test('an ID that comes out empty names the parameter', async () => {
		const run = await session.run({ items: [{ json: {} }], parameters: { operation: 'getStatus', requestId: '={{ $json.requestId }}' } });
		expect(run.error.message).toBe('Request ID: is empty (item 0)');
	});
});
