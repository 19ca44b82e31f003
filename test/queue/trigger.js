// @ts-check
'use strict';

/**
 * trigger: the Hailuo Trigger in queue mode. TRIGGER_JOBS jobs submitted to fal (the emulator) with the trigger's
 * production URL on the main and `?row=N`, half of them delivered twice: exactly one execution per job, spread over
 * both workers, every video readable through the main's REST API and byte-identical to fal's. Gives the deliveries
 * per minute the trigger turns into executions, and the time from fal's COMPLETED to the video in n8n's binary store
 * (median, p95): the figures `npm run bench` reports.
 */

const qm = require('../../scripts/lib/queue-mode');
const { EMULATOR_CREDENTIAL } = require('../../scripts/lib/fal-emulator');
const { assert, check } = require('../../scripts/lib/checks');
const { VIDEO_BYTES, TRIGGER_JOBS } = require('./settings');
const { sleep, show, median, FINAL } = require('./helpers');

const TRIGGER_ID = 'hailuoQueueTrig1';
const HOOK = 'a1b2c3d4-0000-4000-8000-0000000000b1';

function triggerWorkflow() {
	return {
		id: TRIGGER_ID,
		name: 'Queue mode: Hailuo Trigger',
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000031',
				name: 'Hailuo Trigger',
				type: 'n8n-nodes-hailuo.hailuoTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: HOOK,
				parameters: { options: {} },
				credentials: { hailuoApi: { id: EMULATOR_CREDENTIAL.id, name: EMULATOR_CREDENTIAL.name } },
			},
		],
		connections: {},
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		tags: [],
	};
}

const p95 = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

/** @param {any} ctx */
async function run({ base, rest, emu, emulator, workers, figures }) {
	await emu('/_emulator/reset', { method: 'POST' });
	const half = Math.floor(TRIGGER_JOBS / 2);
	await emu('/_emulator/faults', { method: 'POST', body: JSON.stringify({ route: 'webhook', duplicate: true, times: half }) });
	const before = new Set((await rest.executions(TRIGGER_ID)).map((e) => String(e.id)));
	const hookUrl = (/** @type {number} */ row) => `${base}/webhook/${HOOK}/fal?row=${row}`;
	const t0 = Date.now();
	const requestIds = await Promise.all(
		Array.from({ length: TRIGGER_JOBS }, async (_, i) => {
			const res = await fetch(`${emulator.origin}/fal-ai/minimax/hailuo-2.3/standard/image-to-video?fal_webhook=${encodeURIComponent(hookUrl(i + 1))}`, {
				method: 'POST',
				headers: { authorization: 'Key test-key', 'content-type': 'application/json' },
				body: JSON.stringify({ prompt: `queue trigger ${i + 1}`, image_url: `${emulator.origin}/_samples/frame.jpg` }),
			});
			return String((await res.json()).request_id);
		}),
	);
	/** @type {any[]} */
	let mine = [];
	const deadline = Date.now() + 180_000;
	while (Date.now() < deadline) {
		mine = (await rest.executions(TRIGGER_ID)).filter((e) => !before.has(String(e.id)));
		if (mine.length >= TRIGGER_JOBS && mine.every((e) => FINAL.includes(e.status))) break;
		await sleep(500);
	}
	await sleep(3_000); // a repeated delivery that started a second execution would show now
	mine = (await rest.executions(TRIGGER_ID)).filter((e) => !before.has(String(e.id)));

	/** @type {number[]} */
	const completedToStored = [];
	const workersSeen = new Set();
	await check(`trigger: ${TRIGGER_JOBS} jobs (${half} delivered twice) → exactly ${TRIGGER_JOBS} executions, all successful`, async () => {
		const hooks = (await emu('/_emulator/webhooks')).webhooks;
		const answered = hooks.filter((/** @type {any} */ h) => h.status === 200).length;
		assert(answered === TRIGGER_JOBS + half, `${answered} deliveries answered 200, expected ${TRIGGER_JOBS + half}`);
		assert(mine.length === TRIGGER_JOBS, `${mine.length} executions for ${TRIGGER_JOBS} jobs`);
		const bad = mine.filter((e) => e.status !== 'success');
		assert(bad.length === 0, `not successful: ${bad.map((e) => `${e.id} ${e.status}`).join(', ')}`);
	});

	await check('trigger: one execution per job with its row, the video byte-identical through the main\'s REST API, over both workers', async () => {
		const jobs = new Map((await emu('/_emulator/jobs')).jobs.map((/** @type {any} */ j) => [j.requestId, j]));
		const seen = new Set();
		for (const e of mine) {
			const x = await rest.execution(String(e.id));
			const [item] = x.data?.resultData?.runData?.['Hailuo Trigger']?.[0]?.data?.main?.[0] ?? [];
			assert(item?.json?.status === 'OK' && requestIds.includes(item.json.requestId), `execution ${e.id}: ${show(item?.json)}`);
			assert(!seen.has(item.json.requestId), `job ${item.json.requestId} started two executions`);
			seen.add(item.json.requestId);
			assert(String(requestIds.indexOf(item.json.requestId) + 1) === String(item.json.query?.row), `execution ${e.id}: row ${item.json.query?.row}`);
			const { bytes } = await rest.binary(item.binary.data.id);
			const fromEmu = Buffer.from(await (await fetch(`${emulator.origin}/cdn/${item.json.requestId}/output.mp4`)).arrayBuffer());
			assert(bytes.length === VIDEO_BYTES && bytes.equals(fromEmu), `execution ${e.id}: ${bytes.length} bytes, not fal's video`);
			const node = x.data.resultData.runData['Hailuo Trigger'][0];
			completedToStored.push(node.startTime + node.executionTime - jobs.get(item.json.requestId).completedAt);
		}
		for (const w of workers) {
			for (const l of qm.readJsonLog(w.log)) {
				const m = /^Worker started execution (\d+)/.exec(l.message || '');
				if (m && mine.some((e) => String(e.id) === m[1])) workersSeen.add(w.name);
			}
		}
		assert(workersSeen.size === 2, `executions ran on ${[...workersSeen].join(', ')}`);
	});

	const lastEnd = Math.max(...mine.map((e) => Date.parse(e.stoppedAt)));
	const minutes = (lastEnd - t0) / 60_000;
	figures.push(
		`trigger: ${TRIGGER_JOBS} deliveries (${half} more repeated) → ${mine.length} executions in ${(minutes * 60).toFixed(1)} s from the first submit: ${(mine.length / minutes).toFixed(0)} deliveries/min turned into executions (jobs of 2.5 s at fal); fal's COMPLETED → video in n8n's binary store: median ${(median(completedToStored) / 1000).toFixed(2)} s, p95 ${(p95(completedToStored) / 1000).toFixed(2)} s`,
	);
}

module.exports = {
	name: 'trigger',
	about: 'the Hailuo Trigger in queue mode: one execution per job (repeats dropped), over both workers, videos through the main',
	workflows: () => [triggerWorkflow()],
	run,
};
