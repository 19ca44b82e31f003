// @ts-check
'use strict';

/**
 * edge (issue 22): the guarantees at the execution's edge, in n8n started as a server, run as the editor runs them:
 * - the editor's Stop during a Submit batch (one job in flight at a time, answers slow) and during a Generate batch
 *   (every job running): no job left running on fal, none billed, and n8n's log has a line per cancelled job;
 * - three jobs on an account that runs one at a time, Timeout 2.4 s: the last waits longer than that in fal's queue,
 *   and every video is delivered;
 * - an empty {} status twice while polling: read past, the video delivered;
 * - Retry On Fail on the node: the retry follows the jobs the first try made (0 duplicate jobs);
 * - the credential dialog's Test (POST /rest/credentials/test): an API-scope key and an ADMIN key pass, a wrong key fails.
 */

const fs = require('node:fs');
const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, codeNode, hailuoNode, promptsCode, generate, frame } = require('./workflows');
const { assertVideoItem, nodeItems, until } = require('./helpers');

const IDS = {
	submitStop: 'hailuoSrvEdge001',
	generateStop: 'hailuoSrvEdge002',
	queue: 'hailuoSrvEdge003',
	odd: 'hailuoSrvEdge004',
	retry: 'hailuoSrvEdge005',
};
const ADMIN_KEY = 'test-admin-key';

/** Stops a run from the editor once `ready` holds; then no job may be left running, each in n8n's log. */
async function stopAndCheck(ctx, emu, workflowId, ready, what) {
	const executionId = await ctx.rest.run(workflowId);
	await until(ready, 30_000, what);
	const stopped = await ctx.rest.raw('POST', `/rest/executions/${executionId}/stop`, {});
	assert(stopped.status === 200, `stop answered HTTP ${stopped.status}: ${stopped.text.slice(0, 300)}`);
	await until(async () => (await emu.stats()).running === 0, 10_000, 'no job running on the emulator');
	const jobs = await emu.jobs();
	const left = jobs.filter((j) => !j.cancelRequested);
	assert(left.length === 0, `jobs never cancelled: ${JSON.stringify(left.map((j) => [j.requestId, j.status]))}`);
	assert((await emu.stats()).billed === 0, 'a job was billed');
	let log = '';
	await until(
		() => jobs.every((j) => (log = fs.readFileSync(ctx.n8nLog, 'utf8')).includes(`Hailuo: the execution was stopped; fal job ${j.requestId}`)),
		10_000,
		"a line per job in n8n's log",
	);
	const exec = await ctx.rest.waitFor(executionId, ['canceled', 'error', 'crashed', 'success'], 30_000);
	assert(exec.status === 'canceled', `execution status ${exec.status}`);
	return jobs;
}

/** Creates a credential as the editor saves it, then tests it as the editor's Test button does. */
async function testCredential(ctx, origin, name, apiKey) {
	const data = { apiKey, baseUrl: origin };
	const created = await ctx.rest.call('POST', '/rest/credentials', { name, type: 'hailuoApi', data });
	const answer = await ctx.rest.call('POST', '/rest/credentials/test', { credentials: { id: created.id, name, type: 'hailuoApi', data } });
	return answer;
}

/** @param {any} ctx */
async function run(ctx) {
	const { edge, queue, quick } = ctx.emu;

	await check('Stop during a Submit batch (slow answers, one in flight): every job fal made is cancelled, each in n8n\'s log', async () => {
		await edge.reset();
		await edge.fault({ route: 'submit', lateAnswerMs: 400, times: 4 });
		const jobs = await stopAndCheck(ctx, edge, IDS.submitStop, async () => (await edge.jobs()).length >= 2, 'two jobs on the emulator');
		process.stdout.write(`      ${jobs.length} jobs made before Stop, all cancelled; n8n's log names each\n`);
	});

	await check('Stop during a Generate batch (4 jobs running): every job is cancelled, each in n8n\'s log', async () => {
		await edge.reset();
		const running = async () => {
			const jobs = await edge.jobs();
			return jobs.length === 4 && jobs.every((j) => j.status === 'IN_PROGRESS');
		};
		await stopAndCheck(ctx, edge, IDS.generateStop, running, 'four jobs running');
	});

	await check('three jobs on an account running one at a time, Timeout 2.4 s: the last waits longer in the queue, all delivered', async () => {
		await queue.reset();
		const exec = await ctx.rest.waitFor(await ctx.rest.run(IDS.queue), ['success', 'error', 'crashed', 'canceled'], 60_000);
		assert(exec.status === 'success', `execution ${exec.status}: ${JSON.stringify(exec.data?.resultData?.error?.message)}`);
		const items = nodeItems(exec, 'Hailuo Video');
		assert(items.length === 3, `${items.length} items`);
		for (const item of items) await assertVideoItem(ctx.userFolder, item);
		const jobs = (await queue.jobs()).sort((a, b) => a.startedAt - b.startedAt);
		const waited = jobs[2].startedAt - jobs[2].submittedAt;
		assert(waited > 2_400, `the last job waited only ${waited} ms in the queue`);
		assert((await queue.stats()).cancelled === 0, 'a job was cancelled');
		process.stdout.write(`      the last job waited ${(waited / 1000).toFixed(1)} s in fal's queue and was delivered\n`);
	});

	await check('an empty {} status twice while polling is read past: the video is delivered', async () => {
		await quick.reset();
		await quick.fault([{ route: 'stream', status: 405, times: 10 }, { route: 'status', status: 200, body: {}, times: 2 }]);
		const exec = await ctx.rest.waitFor(await ctx.rest.run(IDS.odd), ['success', 'error', 'crashed', 'canceled'], 60_000);
		assert(exec.status === 'success', `execution ${exec.status}: ${JSON.stringify(exec.data?.resultData?.error?.message)}`);
		await assertVideoItem(ctx.userFolder, nodeItems(exec, 'Hailuo Video')[0]);
		const odd = (await quick.calls()).filter((c) => c.route === 'status' && c.fault === 'status');
		assert(odd.length === 2, `${odd.length} {} answers were served`);
	});

	await check('Retry On Fail on the node: the retry follows the jobs the first try made, 0 duplicate jobs', async () => {
		await quick.reset();
		await quick.fault({ route: 'result', status: 404 });
		const exec = await ctx.rest.waitFor(await ctx.rest.run(IDS.retry), ['success', 'error', 'crashed', 'canceled'], 60_000);
		assert(exec.status === 'success', `execution ${exec.status}: ${JSON.stringify(exec.data?.resultData?.error?.message)}`);
		assert(nodeItems(exec, 'Hailuo Video').length === 2, 'two videos');
		const stats = await quick.stats();
		assert(stats.accepted === 2 && stats.duplicates === 0, `${stats.accepted} jobs, ${stats.duplicates} duplicate`);
	});

	await check('the credential dialog\'s Test: an API-scope key and an ADMIN key pass, a wrong key fails', async () => {
		const origin = ctx.origin.edge;
		const api = await testCredential(ctx, origin, 'Hailuo (API-scope key)', 'test-key');
		const admin = await testCredential(ctx, origin, 'Hailuo (ADMIN key)', ADMIN_KEY);
		const wrong = await testCredential(ctx, origin, 'Hailuo (wrong key)', 'fal-wrong-key-3c1');
		assert(api.status === 'OK', `API-scope key: ${JSON.stringify(api)}`);
		assert(admin.status === 'OK', `ADMIN key: ${JSON.stringify(admin)}`);
		assert(wrong.status === 'Error', `wrong key: ${JSON.stringify(wrong)}`);
		assert(!JSON.stringify(wrong).includes('fal-wrong-key-3c1'), 'the wrong key is shown back');
		const pricing = (await edge.calls()).filter((c) => c.route === 'pricing');
		assert(pricing.length === 0, 'the test used the pricing call');
		process.stdout.write(`      API key: ${api.message}; ADMIN key: ${admin.message}; wrong key: ${wrong.message}\n`);
	});
}

const settingsOf = (node, settings) => ({ ...node, ...settings });

module.exports = {
	name: 'edge',
	about: 'Stop during Submit and Generate batches, a queue longer than the timeout, an {} status, Retry On Fail, the credential test',
	emulators: {
		// long jobs, slow to queue: there is time to press Stop; a second key of ADMIN scope for the credential test
		edge: {
			args: ['--queue-ms', '300', '--progress-ms', '600000', '--admin-key', ADMIN_KEY],
			credential: { id: 'hailuoEdgeEmu001', name: 'Hailuo (edge fal emulator)' },
		},
		// an account that runs one job at a time; jobs of 1.5 s
		queue: {
			args: ['--queue-ms', '20', '--progress-ms', '1500', '--concurrency', '1'],
			credential: { id: 'hailuoQueueEmu01', name: 'Hailuo (one-at-a-time fal emulator)' },
		},
		quick: {
			args: ['--queue-ms', '50', '--progress-ms', '300'],
			credential: { id: 'hailuoQuickEmu01', name: 'Hailuo (quick fal emulator)' },
		},
	},
	/** @param {any} ctx */
	workflows: (ctx) => [
		workflow(IDS.submitStop, 'server-mode: Stop during a Submit batch', [
			manualTrigger(),
			codeNode(promptsCode(4, frame(ctx.origin.edge), 'Submitted')),
			hailuoNode('Hailuo Video', ctx.credential.edge, generate({ operation: 'submit', options: { maxInFlight: 1 } }), [440, 0]),
		]),
		workflow(IDS.generateStop, 'server-mode: Stop during a Generate batch', [
			manualTrigger(),
			codeNode(promptsCode(4, frame(ctx.origin.edge), 'Running')),
			hailuoNode('Hailuo Video', ctx.credential.edge, generate({}), [440, 0]),
		]),
		workflow(IDS.queue, 'server-mode: a queue longer than the timeout', [
			manualTrigger(),
			codeNode(promptsCode(3, frame(ctx.origin.queue), 'Queued')),
			hailuoNode('Hailuo Video', ctx.credential.queue, generate({ options: { timeoutMinutes: 0.04, maxInFlight: 3 } }), [440, 0]),
		]),
		workflow(IDS.odd, 'server-mode: odd status answers', [
			manualTrigger(),
			codeNode(promptsCode(1, frame(ctx.origin.quick), 'Odd')),
			hailuoNode('Hailuo Video', ctx.credential.quick, generate({}), [440, 0]),
		]),
		workflow(IDS.retry, 'server-mode: Retry On Fail', [
			manualTrigger(),
			codeNode(promptsCode(2, frame(ctx.origin.quick), 'Retried')),
			settingsOf(hailuoNode('Hailuo Video', ctx.credential.quick, generate({ options: { maxInFlight: 1 } }), [440, 0]), {
				retryOnFail: true,
				maxTries: 2,
				waitBetweenTries: 0,
			}),
		]),
	],
	run,
};
