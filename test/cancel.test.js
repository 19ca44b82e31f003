// n8n's Stop button, as the engine delivers it (the execution's cancel signal): the node stops at once and
// cancels its job on fal, whether the job is queued, running, or already done and downloading.
const { useNodeSession } = require('./node-session');

// Jobs queue for a while, run for a while, and the video downloads slowly: there is time to press Stop.
const session = useNodeSession({ queueMs: 1_500, progressMs: 60_000, cancelMs: 200, videoBytes: 2_000_000 });
const emu = () => session.emu;

/** Runs Generate and presses Stop once `when` holds (checked against the emulator's state). */
async function runAndStopWhen(when, parameters = session.urlParameters()) {
	let stoppedAt;
	const run = await session.run({
		parameters,
		onStarted: (cancel) => {
			const poll = setInterval(() => {
				if (when()) {
					clearInterval(poll);
					stoppedAt = Date.now();
					cancel();
				}
			}, 10);
		},
	});
	return { run, stoppedAt };
}

const theJob = () => [...emu().jobs.values()][0];

test('Stop while the job is queued: the execution ends, and the job is cancelled on fal before it runs (not billed)', async () => {
	const { run } = await runAndStopWhen(() => theJob()?.status === 'IN_QUEUE');
	expect(run.status).toBe('canceled');
	await session.expectNoHarm(run);
	const job = theJob();
	expect(job.status).toBe('CANCELLED');
	expect(job.billed).toBe(false);
	expect(session.calls('result')).toHaveLength(0);
});

test('Stop while the submit is on its way (fal made the job, its answer not yet in): the job is cancelled once the answer comes', async () => {
	emu().fault({ route: 'submit', lateAnswerMs: 1_000 });
	const { run } = await runAndStopWhen(() => theJob() !== undefined);
	expect(run.status).toBe('canceled');
	await session.expectNoHarm(run);
	const job = theJob();
	expect(session.calls('submit')[0].fault).toBe('lateAnswer');
	expect(job.status).toBe('CANCELLED');
	expect(job.billed).toBe(false);
	expect(session.calls('result')).toHaveLength(0);
});

test('Stop while the job runs: fal is asked to cancel it at once, and the job ends', async () => {
	const { run, stoppedAt } = await runAndStopWhen(() => theJob()?.status === 'IN_PROGRESS');
	expect(run.status).toBe('canceled');
	await session.expectNoHarm(run);
	const job = theJob();
	expect(job.cancelRequested).toBe(true);
	// the cancel is sent as soon as Stop is pressed (well within the 60 s the job would have run)
	expect(job.cancelRequestedAt - stoppedAt).toBeLessThan(10_000);
	expect(job.billed).toBe(false);
});

describe('Stop while the video downloads', () => {
	let slow;
	beforeAll(async () => {
		const { startEmulator } = require('./emulator');
		slow = await startEmulator({ apiKey: session.API_KEY, queueMs: 10, progressMs: 20, videoBytes: 5_000_000, cdnBytesPerSec: 500_000 });
	});
	afterAll(async () => await slow.close());

	test('the download is dropped, no partial video is output, and nothing is left running', async () => {
		let cancelRun;
		const finished = session.run({
			baseUrl: slow.url,
			parameters: session.urlParameters({ imageUrl: `${slow.url}/_samples/frame.jpg` }),
			onStarted: (cancel) => (cancelRun = cancel),
		});
		await session.eventually(() => slow.calls.some((c) => c.route === 'cdn'));
		cancelRun();
		const run = await finished;
		expect(run.status).toBe('canceled');
		expect(run.run.data.resultData.runData['Hailuo Video']?.[0]?.data).toBeUndefined();
		const [job] = [...slow.jobs.values()];
		expect(job.status).toBe('COMPLETED');
		await session.eventually(() => slow.stats().running === 0);
	});
});
