// The bounded pool every item runs through (a pure helper, tested directly).
const { runBounded } = require('../dist/nodes/Hailuo/actions/pool');

const deferred = () => {
	let resolve;
	const promise = new Promise((r) => (resolve = r));
	return { promise, resolve };
};

test('keeps task order and never exceeds the limit', async () => {
	let running = 0;
	let most = 0;
	const gates = Array.from({ length: 6 }, deferred);
	const pending = runBounded(6, 2, async (i) => {
		running++;
		most = Math.max(most, running);
		await gates[i].promise;
		running--;
		return i * 10;
	}, false);
	// release in reverse order: outcomes must still come back in task order
	for (let i = 5; i >= 0; i--) {
		gates[i].resolve();
		await new Promise((r) => setImmediate(r));
	}
	const outcomes = await pending;
	expect(outcomes.map((o) => o.value)).toEqual([0, 10, 20, 30, 40, 50]);
	expect(most).toBe(2);
});

test('without stopOnError, a failure is an outcome and the rest still run', async () => {
	const outcomes = await runBounded(3, 1, async (i) => {
		if (i === 1) throw new Error('boom');
		return i;
	}, false);
	expect(outcomes[1]).toEqual({ ok: false, error: new Error('boom') });
	expect(outcomes[2]).toEqual({ ok: true, value: 2 });
});

test('with stopOnError, no task starts after the first failure and that failure is thrown', async () => {
	const started = [];
	await expect(runBounded(4, 1, async (i) => {
		started.push(i);
		if (i === 1) throw new Error('stop');
		return i;
	}, true)).rejects.toThrow('stop');
	expect(started).toEqual([0, 1]);
});
