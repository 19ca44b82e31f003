/** How one task ended: its value, or its error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `count` tasks with at most `limit` of them in flight, and returns their outcomes in task order.
 * A task that fails does not stop the others unless `stopOnError` is set, in which case no new task
 * starts after the first failure and that failure is thrown once the running ones have settled.
 */
export async function runBounded<T>(
	count: number,
	limit: number,
	task: (index: number) => Promise<T>,
	stopOnError: boolean,
): Promise<Array<Outcome<T>>> {
	const outcomes = new Array<Outcome<T>>(count);
	let next = 0;
	let firstError: { error: unknown } | undefined;

	async function worker(): Promise<void> {
		while (next < count && !(stopOnError && firstError)) {
			const index = next++;
			try {
				outcomes[index] = { ok: true, value: await task(index) };
			} catch (error) {
				outcomes[index] = { ok: false, error };
				if (stopOnError && !firstError) firstError = { error };
			}
		}
	}

	const workers = Array.from({ length: Math.max(1, Math.min(limit, count)) }, async () => await worker());
	await Promise.all(workers);
	if (firstError) throw firstError.error;
	return outcomes;
}
