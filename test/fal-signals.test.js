// fal's error headers (fal's errors page): X-Fal-Retryable says whether the same request can succeed when tried
// again, X-Fal-Error-Type names an infrastructure error, and a 504 with X-Fal-Request-Timeout-Type: user ran out a
// deadline the caller set. The node retries what fal marks retryable, never what it marks not, and says both.
const { useNodeSession } = require('./node-session');

const session = useNodeSession();
const { urlParameters, calls } = session;
const emu = () => session.emu;

const getStatus = (requestId) => session.run({ parameters: { operation: 'getStatus', requestId } });

async function submittedJob() {
	const run = await session.run({ parameters: urlParameters({ operation: 'submit' }) });
	return run.output('Hailuo Video')[0].json.requestId;
}

test('a status read answered 503 that fal marks not retryable is not tried again, and the error says why', async () => {
	const requestId = await submittedJob();
	emu().fault({ route: 'status', status: 503, headers: { 'x-fal-retryable': 'false', 'x-fal-error-type': 'runner_scheduling_failure' } });
	const run = await getStatus(requestId);
	expect(run.status).toBe('error');
	expect(calls('status')).toHaveLength(1);
	expect(run.error.message).toMatch(/^fal answered HTTP 503 to read the job status: .* \(item 0, fal request [\w-]+\)$/);
	expect(run.error.description).toContain("fal's error type: runner_scheduling_failure. fal marks it not retryable");
	await session.expectNoHarm(run);
});

test('a 504 whose deadline was the caller\'s own (X-Fal-Request-Timeout-Type: user) is not tried again', async () => {
	const requestId = await submittedJob();
	emu().fault({ route: 'status', status: 504, headers: { 'x-fal-request-timeout-type': 'user', 'x-fal-error-type': 'request_timeout' } });
	const run = await getStatus(requestId);
	expect(run.status).toBe('error');
	expect(calls('status')).toHaveLength(1);
	expect(run.error.description).toContain('fal marks it not retryable');
	await session.expectNoHarm(run);
});

test('a 504 without that header is fal\'s trouble and is tried again', async () => {
	const requestId = await submittedJob();
	emu().fault({ route: 'status', status: 504, headers: { 'retry-after': '0' } });
	const run = await getStatus(requestId);
	expect(run.status).toBe('success');
	expect(calls('status').map((call) => call.status)).toEqual([504, 200]);
});

test('a result read answered 409 that fal marks retryable is tried again, and the video arrives', async () => {
	emu().fault({ route: 'result', status: 409, headers: { 'x-fal-retryable': 'true', 'retry-after': '0' } });
	const run = await session.run();
	expect(run.status).toBe('success');
	expect(calls('result').map((call) => call.status)).toEqual([409, 200]);
	await session.expectNoHarm(run);
});

test('a job that failed with an error fal marks retryable says the item may be run again', async () => {
	emu().fault({ route: 'result', status: 503, headers: { 'x-fal-retryable': 'true' }, body: { detail: 'The runner stopped unexpectedly' } });
	const run = await session.run({ parameters: urlParameters({ prompt: 'A cat [emulator:fail]' }) });
	expect(run.status).toBe('error');
	expect(run.error.message).toMatch(/^fal could not generate the video \(HTTP 503\): The runner stopped unexpectedly \(item 0, fal request [\w-]+\)$/);
	expect(run.error.description).toMatch(/^The job ended on fal with an error that fal marks retryable: run the item again/);
	await session.expectNoHarm(run);
});
