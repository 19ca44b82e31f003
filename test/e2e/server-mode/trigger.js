// @ts-check
'use strict';

/**
 * trigger (issue 24): the Hailuo Trigger in a published workflow (example 06b), fed by example 06a's Submit with the
 * trigger's production URL and a `row` query parameter, fal's webhooks coming from the emulator, signed as fal signs:
 * - 10 items submitted → exactly 10 trigger executions, 10 videos byte-identical to fal's, each with its row;
 * - every webhook delivered twice → still one execution per job;
 * - a job that fails on fal → one execution carrying fal's error;
 * - forged deliveries (no signature, a wrong one, an old timestamp, a valid signature over another body, a key fal
 *   does not publish) → 401 and no execution;
 * - Submit → Wait → Get Result for 5 items: with the resume URL as Webhook URL it is refused before anything is paid;
 *   with a Wait on a time interval and Get Result's Wait for the Video, all 5 videos come out;
 * - the signed request-id header carrying gateway_request_id (≠ request_id) → one execution with the video;
 * - a delivery whose payload is null, with fal's payload_error → one execution with the video, the error said;
 * - 20 forged deliveries at once with fal's key set unreachable → all 401, no execution, at most 2 key-set fetches;
 * - a trigger pinned to the emulator's fal user: a delivery signed for another fal user → 403 (fal's retry too), no
 *   execution, n8n's log names the user; one signed for the pinned user → one execution.
 */

const fs = require('node:fs');
const { createHash, generateKeyPairSync, randomUUID, sign } = require('node:crypto');
const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, codeNode, hailuoNode, frame } = require('./workflows');
const { assertVideoItem, execError, executionRows, nodeItems, sleep, until } = require('./helpers');

const TRIGGER_WORKFLOW = 'hailuoExample06b';
const SUBMIT_WORKFLOW = 'hailuoExample06a';
const FAILING_WORKFLOW = 'hailuoSrvTrig001';
const WAIT_WORKFLOW = 'hailuoSrvTrig002';
const RESUME_WORKFLOW = 'hailuoSrvTrig003';
const HOOK = '6b0e7c2a-1f3d-4e59-9a8b-0000000006b0';
const PIN_WORKFLOW = 'hailuoSrvTrig004';
const PIN_HOOK = '6b0e7c2a-1f3d-4e59-9a8b-0000000006b4';
const FLOOD_WORKFLOW = 'hailuoSrvTrig005';
const FLOOD_HOOK = '6b0e7c2a-1f3d-4e59-9a8b-0000000006b5';
/** The emulator behind the flood's trigger: a key-set URL of its own, which no other check has had n8n fetch. */
const KEYS_EMULATOR = { args: ['--queue-ms', '200', '--progress-ms', '500'], credential: { id: 'hailuoTrigKeys01', name: 'Hailuo (trigger keys fal emulator)' } };

/** The trigger workflow's executions that ended, after `after` rows. */
function finishedTriggerRuns(ctx, after) {
	return executionRows(ctx.userFolder, TRIGGER_WORKFLOW).slice(after).filter((r) => r.finished || ['success', 'error', 'crashed'].includes(r.status));
}

/** Waits until `count` more trigger executions have ended (and no more come for a moment); returns them with data. */
async function triggerRuns(ctx, after, count) {
	await until(() => finishedTriggerRuns(ctx, after).length >= count, 90_000, `${count} executions of the trigger workflow`);
	await sleep(2_000); // a late extra execution would show now
	const rows = executionRows(ctx.userFolder, TRIGGER_WORKFLOW).slice(after);
	return await Promise.all(rows.map(async (row) => await ctx.rest.execution(row.id)));
}

/** A trigger's production URL. @param {any} ctx */
const hookUrl = (ctx, hook = HOOK) => `http://127.0.0.1:${ctx.port}/webhook/${hook}/fal`;

/** Submits a job to an emulator with a webhook URL, as Submit does; its request id. */
async function submitWithWebhook(origin, webhookUrl, prompt) {
	const res = await fetch(`${origin}/fal-ai/minimax/hailuo-2.3/standard/image-to-video?fal_webhook=${encodeURIComponent(webhookUrl)}`, {
		method: 'POST',
		headers: { authorization: 'Key test-key', 'content-type': 'application/json' },
		body: JSON.stringify({ prompt, image_url: frame(origin) }),
	});
	return String((await res.json()).request_id);
}

/** The emulator's answered attempts to deliver the job, once there are `count`. */
async function answered(emu, requestId, count) {
	const of = async () => (await emu.webhooks()).filter((h) => h.requestId === requestId && h.status !== undefined);
	await until(async () => (await of()).length >= count, 60_000, `${count} answered deliveries of ${requestId}`);
	return await of();
}

/** Posts a delivery to the trigger's production URL as fal would, with the given headers. */
async function deliver(ctx, body, headers, hook = HOOK) {
	const res = await fetch(hookUrl(ctx, hook), {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body,
	});
	return res.status;
}

/** @param {any} ctx */
async function run(ctx) {
	const { rest, emu: { main: emu } } = ctx;
	const count = () => executionRows(ctx.userFolder, TRIGGER_WORKFLOW).length;

	await check('10 items submitted with the trigger\'s URL: exactly 10 trigger executions, 10 byte-identical videos, each with its row', async () => {
		await emu.reset();
		const before = count();
		const submitted = await rest.waitFor(await rest.run(SUBMIT_WORKFLOW), ['success', 'error', 'crashed'], 60_000);
		assert(submitted.status === 'success', `submit: ${execError(submitted)}`);
		const runs = await triggerRuns(ctx, before, 10);
		assert(runs.length === 10, `${runs.length} trigger executions for 10 jobs`);
		const rows = new Set();
		for (const exec of runs) {
			assert(exec.status === 'success', `trigger execution ${exec.id}: ${exec.status} ${execError(exec)}`);
			const [item] = nodeItems(exec, 'Hailuo Trigger');
			assert(item.json.status === 'OK', `status ${item.json.status}`);
			rows.add(item.json.query.row);
			await assertVideoItem(ctx.userFolder, item);
		}
		assert(rows.size === 10, `rows: ${[...rows].join(', ')}`);
	});

	await check('every webhook delivered twice: still one trigger execution per job', async () => {
		await emu.reset();
		await emu.fault({ route: 'webhook', duplicate: true, times: 10 });
		const before = count();
		await rest.waitFor(await rest.run(SUBMIT_WORKFLOW), ['success', 'error', 'crashed'], 60_000);
		await until(async () => (await emu.webhooks()).filter((h) => h.status === 200).length >= 20, 60_000, '20 deliveries answered');
		const runs = await triggerRuns(ctx, before, 10);
		assert(runs.length === 10, `${runs.length} trigger executions for 10 jobs delivered twice`);
	});

	await check('a job that fails on fal: one trigger execution, carrying fal\'s error', async () => {
		await emu.reset();
		const before = count();
		await rest.waitFor(await rest.run(FAILING_WORKFLOW), ['success', 'error', 'crashed'], 60_000);
		const runs = await triggerRuns(ctx, before, 1);
		assert(runs.length === 1, `${runs.length} executions`);
		const [item] = nodeItems(runs[0], 'Hailuo Trigger');
		assert(item.json.status === 'ERROR' && String(item.json.error).includes('Generation failed (emulator)'), `trigger item ${JSON.stringify(item.json)}`);
		assert(!item.binary, 'a failed job has no video');
	});

	await check('forged deliveries get 401 and start nothing; the same delivery as fal signs it gets 200 and one execution', async () => {
		await emu.reset();
		// a finished job of fal's, submitted without a webhook: the deliveries below are the only ones about it
		const submitted = await (
			await fetch(`${ctx.origin.main}/fal-ai/minimax/hailuo-2.3/standard/image-to-video`, {
				method: 'POST',
				headers: { authorization: 'Key test-key', 'content-type': 'application/json' },
				body: JSON.stringify({ prompt: 'delivered by hand', image_url: frame(ctx.origin.main) }),
			})
		).json();
		const requestId = submitted.request_id;
		await until(async () => (await emu.jobs()).some((j) => j.requestId === requestId && j.status === 'COMPLETED'), 30_000, 'the job to end');
		const body = JSON.stringify({ request_id: requestId, gateway_request_id: requestId, status: 'OK', payload: {}, error: null });
		const signed = async (b, timestamp) => (await (await fetch(`${ctx.origin.main}/_emulator/sign`, { method: 'POST', body: JSON.stringify({ request_id: requestId, body: b, timestamp }) })).json()).headers;
		const good = await signed(body);
		const before = count();
		const ownKey = generateKeyPairSync('ed25519').privateKey;
		const foreign = { ...good, 'x-fal-webhook-signature': sign(null, Buffer.from('anything'), ownKey).toString('hex') };
		const forged = {
			'no signature headers': await deliver(ctx, body, {}),
			'a wrong signature': await deliver(ctx, body, { ...good, 'x-fal-webhook-signature': 'ab'.repeat(64) }),
			'a timestamp 10 minutes old': await deliver(ctx, body, await signed(body, Math.floor(Date.now() / 1000) - 600)),
			'a valid signature over another body': await deliver(ctx, body.replace('"OK"', '"ERROR"'), good),
			'a key fal does not publish': await deliver(ctx, body, foreign),
		};
		for (const [what, status] of Object.entries(forged)) assert(status === 401, `${what}: HTTP ${status}`);
		await sleep(2_000);
		assert(count() === before, `${count() - before} executions started by forged deliveries`);
		assert((await deliver(ctx, body, good)) === 200, 'the signed delivery was refused');
		const [exec] = await triggerRuns(ctx, before, 1);
		const [item] = nodeItems(exec, 'Hailuo Trigger');
		assert(item.json.requestId === requestId, `execution for ${item.json.requestId}`);
		await assertVideoItem(ctx.userFolder, item);
		process.stdout.write(`      401 for: ${Object.keys(forged).join('; ')}\n`);
	});

	await check('Submit → Wait → Get Result, 5 items: the resume URL is refused before paying; Wait (interval) + Wait for the Video brings all 5', async () => {
		await emu.reset();
		const refused = await rest.waitFor(await rest.run(RESUME_WORKFLOW), ['success', 'error', 'crashed', 'waiting'], 60_000);
		assert(refused.status === 'error' && /5 items would send their jobs' webhooks to this execution's resume URL/.test(execError(refused)), `resume URL: ${refused.status} ${execError(refused)}`);
		assert((await emu.stats()).submits === 0, 'something was submitted');
		const exec = await rest.waitFor(await rest.run(WAIT_WORKFLOW), ['success', 'error', 'crashed'], 120_000);
		assert(exec.status === 'success', `wait + get result: ${execError(exec)}`);
		const videos = nodeItems(exec, 'Get Result');
		assert(videos.length === 5, `${videos.length} videos`);
		for (const item of videos) await assertVideoItem(ctx.userFolder, item);
	});

	await check('the signed header carrying gateway_request_id (≠ request_id): one execution with the video, the job read by request_id', async () => {
		await emu.reset();
		await emu.fault({ route: 'webhook', signGatewayId: true });
		const before = count();
		const requestId = await submitWithWebhook(ctx.origin.main, `${hookUrl(ctx)}?row=gateway`, 'gateway id signed');
		const [delivery] = await answered(emu, requestId, 1);
		assert(delivery.status === 200 && delivery.signedId === delivery.gatewayRequestId && delivery.signedId !== requestId, `delivery ${JSON.stringify(delivery)}`);
		const runs = await triggerRuns(ctx, before, 1);
		assert(runs.length === 1 && runs[0].status === 'success', `${runs.length} executions: ${runs.map((r) => `${r.status} ${execError(r)}`).join('; ')}`);
		const [item] = nodeItems(runs[0], 'Hailuo Trigger');
		assert(item.json.requestId === requestId && item.json.query.row === 'gateway', `trigger item ${JSON.stringify(item.json)}`);
		await assertVideoItem(ctx.userFolder, item);
	});

	await check('a delivery with payload null and fal\'s payload_error: one execution with the video, the payload error said', async () => {
		await emu.reset();
		const words = 'Object of type bytes is not JSON serializable';
		await emu.fault({ route: 'webhook', payloadError: words });
		const before = count();
		const requestId = await submitWithWebhook(ctx.origin.main, hookUrl(ctx), 'payload null');
		await answered(emu, requestId, 1);
		const runs = await triggerRuns(ctx, before, 1);
		assert(runs.length === 1 && runs[0].status === 'success', `${runs.length} executions: ${runs.map((r) => `${r.status} ${execError(r)}`).join('; ')}`);
		const [item] = nodeItems(runs[0], 'Hailuo Trigger');
		assert(item.json.requestId === requestId && item.json.status === 'OK' && item.json.payloadError === words, `trigger item ${JSON.stringify(item.json)}`);
		await assertVideoItem(ctx.userFolder, item);
	});

	await check('20 forged deliveries at once with fal\'s key set unreachable: all 401, no execution, at most 2 fetches of the key set', async () => {
		const keys = ctx.emu.triggerKeys;
		await keys.reset();
		await keys.fault({ route: 'jwks', delayMs: 200, reset: true, times: 100 });
		const before = executionRows(ctx.userFolder, FLOOD_WORKFLOW).length;
		const ownKey = generateKeyPairSync('ed25519').privateKey;
		const forged = () => {
			const requestId = randomUUID();
			const body = JSON.stringify({ request_id: requestId, gateway_request_id: requestId, status: 'OK', payload: {}, error: null });
			const timestamp = String(Math.floor(Date.now() / 1000));
			const digest = createHash('sha256').update(body).digest('hex');
			const signature = sign(null, Buffer.from(`${requestId}\nemulator-user\n${timestamp}\n${digest}`), ownKey).toString('hex');
			const headers = { 'x-fal-webhook-request-id': requestId, 'x-fal-webhook-user-id': 'emulator-user', 'x-fal-webhook-timestamp': timestamp, 'x-fal-webhook-signature': signature };
			return deliver(ctx, body, headers, FLOOD_HOOK);
		};
		const statuses = await Promise.all(Array.from({ length: 20 }, forged));
		const fetches = (await keys.calls()).filter((c) => c.route === 'jwks').length;
		await sleep(2_000); // an execution started by a forgery would show now
		assert(statuses.every((s) => s === 401), `answers: ${statuses.join(', ')}`);
		assert(executionRows(ctx.userFolder, FLOOD_WORKFLOW).length === before, 'a forged delivery started an execution');
		assert(fetches >= 1 && fetches <= 2, `${fetches} fetches of the key set for 20 forged deliveries`);
		await keys.reset();
		process.stdout.write(`      20 × 401, ${fetches} fetch${fetches === 1 ? '' : 'es'} of the unreachable key set\n`);
	});

	await check('pinned to fal user "emulator-user": a delivery fal signed for another fal user gets 403 (its retry too) and starts nothing; the pinned user\'s starts one', async () => {
		await emu.reset();
		await emu.fault({ route: 'webhook', userId: 'another-fal-user' });
		const pinRuns = () => executionRows(ctx.userFolder, PIN_WORKFLOW).length;
		const before = pinRuns();
		const foreign = await submitWithWebhook(ctx.origin.main, hookUrl(ctx, PIN_HOOK), 'another account\'s job');
		const attempts = await answered(emu, foreign, 2);
		assert(attempts.every((a) => a.status === 403 && a.userId === 'another-fal-user'), `attempts ${JSON.stringify(attempts)}`);
		const line = `refused a delivery for fal job ${foreign}: signed for fal user "another-fal-user"`;
		await until(() => fs.readFileSync(ctx.n8nLog, 'utf8').includes(line), 10_000, 'the refusal in n8n\'s log');
		const mine = await submitWithWebhook(ctx.origin.main, hookUrl(ctx, PIN_HOOK), 'this account\'s job');
		await answered(emu, mine, 1);
		await until(() => executionRows(ctx.userFolder, PIN_WORKFLOW).slice(before).some((r) => r.finished || r.status === 'success'), 60_000, 'the pinned user\'s execution');
		await sleep(2_000);
		const rows = executionRows(ctx.userFolder, PIN_WORKFLOW).slice(before);
		assert(rows.length === 1, `${rows.length} executions of the pinned trigger (one expected: the pinned user's job)`);
		const [item] = nodeItems(await rest.execution(rows[0].id), 'Hailuo Trigger');
		assert(item.json.requestId === mine && item.json.falUserId === 'emulator-user', `trigger item ${JSON.stringify(item.json)}`);
		await emu.reset(); // no more retries of the refused delivery
	});
}

/** @param {any} ctx */
function workflows(ctx) {
	const base = `http://127.0.0.1:${ctx.port}`;
	const submit = JSON.parse(JSON.stringify(ctx.example(SUBMIT_WORKFLOW)).split('http://localhost:5678').join(base));
	const rows = submit.nodes.find((n) => n.name === 'Rows');
	rows.parameters.jsCode = 'return Array.from({ length: 10 }, (_, i) => ({ json: { row: i + 1, prompt: `Shot ${i + 1} of 10, run ${$execution.id}` } }));';
	const failing = JSON.parse(JSON.stringify(submit));
	failing.id = FAILING_WORKFLOW;
	failing.name = 'server-mode: a failing job through the trigger';
	failing.nodes.find((n) => n.name === 'Rows').parameters.jsCode = "return [{ json: { row: 'fails', prompt: `Explode [emulator:fail] ${$execution.id}` } }];";
	const image = frame(ctx.origin.main);
	const submitNode = (options) =>
		hailuoNode('Submit Video', ctx.credential.main, { operation: 'submit', prompt: '={{ $json.prompt }}', imageSource: 'url', imageUrl: image, options }, [440, 0]);
	const prompts = (n) => `return Array.from({ length: ${n} }, (_, i) => ({ json: { prompt: \`Wait shot \${i + 1}, run \${$execution.id}\` } }));`;
	const waitNode = { id: 'node-wait', name: 'Wait', type: 'n8n-nodes-base.wait', typeVersion: 1.1, position: [660, 0], parameters: { resume: 'timeInterval', amount: 1, unit: 'seconds' } };
	const getResult = hailuoNode('Get Result', ctx.credential.main, { operation: 'getResult', requestId: '={{ $json.requestId }}', options: { waitForVideo: true } }, [880, 0]);
	const triggerOnly = (id, name, hook, credential, options) =>
		workflow(id, name, [
			{
				id: `node-trigger-${id}`,
				name: 'Hailuo Trigger',
				type: 'n8n-nodes-hailuo.hailuoTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: hook,
				parameters: { options },
				credentials: { hailuoApi: { id: credential.id, name: credential.name } },
			},
		]);
	return [
		triggerOnly(PIN_WORKFLOW, 'server-mode: Hailuo Trigger pinned to a fal user', PIN_HOOK, ctx.credential.main, { falUserId: 'emulator-user' }),
		triggerOnly(FLOOD_WORKFLOW, 'server-mode: Hailuo Trigger under a flood of forgeries', FLOOD_HOOK, ctx.credential.triggerKeys, {}),
		ctx.example(TRIGGER_WORKFLOW),
		submit,
		failing,
		workflow(WAIT_WORKFLOW, 'server-mode: Submit → Wait (interval) → Get Result for 5', [manualTrigger(), codeNode(prompts(5)), submitNode({}), waitNode, getResult]),
		workflow(RESUME_WORKFLOW, 'server-mode: Submit with the resume URL for 5', [manualTrigger(), codeNode(prompts(5)), submitNode({ webhookUrl: '={{ $execution.resumeUrl }}' })]),
	];
}

module.exports = {
	name: 'trigger',
	about: 'the Hailuo Trigger: one execution per job with its video and row, duplicates and forgeries refused; Submit → Wait → Get Result for 5; the gateway id signed, a null payload, a forged flood with the key set down, the fal-user pin',
	emulators: { triggerKeys: KEYS_EMULATOR },
	workflows,
	/** The trigger listens only in a published (active) workflow. @param {any} ctx */
	beforeStart: async ({ runtime, env }) => {
		const n8n = require('../../../scripts/lib/n8n');
		for (const id of [TRIGGER_WORKFLOW, PIN_WORKFLOW, FLOOD_WORKFLOW]) await n8n.runN8nOk(runtime.activateArgs(id), env);
	},
	run,
};
