// n8n's Stop button: the node stops waiting for fal when the execution is cancelled.
const { startEmulator } = require('./emulator');
const { runWorkflow } = require('./harness');
const { hailuoWorkflow } = require('./workflows');

let emu;
beforeAll(async () => {
	// a generation that would take a minute
	emu = await startEmulator({ apiKey: 'k', queueMs: 10, progressMs: 60_000 });
});
afterAll(async () => await emu.close());

test('a cancelled execution ends while the job is still running on fal', async () => {
	const workflow = hailuoWorkflow({ parameters: { prompt: 'slow', imageSource: 'url', imageUrl: 'https://example.com/a.jpg' } });
	const run = await runWorkflow(workflow, {
		credentials: { hailuoApi: { apiKey: 'k', baseUrl: emu.url } },
		onStarted: (cancel) => {
			const poll = setInterval(() => {
				if (emu.stats().accepted === 1) {
					clearInterval(poll);
					cancel();
				}
			}, 10);
		},
	});
	expect(run.status).toBe('canceled');
	const [job] = [...emu.jobs.values()];
	// the run is over, yet the job has not ended: the node did not wait the minute out
	expect(['IN_QUEUE', 'IN_PROGRESS']).toContain(job.status);
	expect(emu.calls.filter((c) => c.route === 'result')).toHaveLength(0);
});
