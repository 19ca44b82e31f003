/** How one task ended: its value, or its error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface BoundedRun<T> {
	/**
	 * The outcomes in task order. With `stopOnError`, it rejects with the first failure at once: no new task starts,
	 * and the running ones are not waited for (`settled` says when they have ended).
	 */
	done: Promise<Array<Outcome<T>>>;
	/** Resolves once every task that started has ended. */
	settled: Promise<void>;
}

/** Runs `count` tasks with at most `limit` of them in flight. */
export function startBounded<T>(
	count: number,
	limit: number,
	task: (index: number) => Promise<T>,
	stopOnError: boolean,
): BoundedRun<T> {
	const outcomes = new Array<Outcome<T>>(count);
	let next = 0;
	let failed = false;
	let fail: (error: unknown) => void = () => undefined;
	const firstFailure = new Promise<never>((_, reject) => (fail = reject));
	// the rejection is handled by whoever awaits `done`; this keeps an unawaited one from being reported
	firstFailure.catch(() => undefined);

	async function worker(): Promise<void> {
		while (next < count && !(stopOnError && failed)) {
			const index = next++;
			try {
				outcomes[index] = { ok: true, value: await task(index) };
			} catch (error) {
				outcomes[index] = { ok: false, error };
				if (stopOnError && !failed) {
					failed = true;
					fail(error);
				}
			}
		}
	}

	const workers = Array.from({ length: Math.max(1, Math.min(limit, count)) }, async () => await worker());
	const settled = Promise.all(workers).then(() => undefined);
	const done = Promise.race([settled.then(() => outcomes), firstFailure]);
	return { done, settled };
}

/** Runs `count` tasks with at most `limit` in flight, and returns their outcomes in task order (see BoundedRun). */
export async function runBounded<T>(
	count: number,
	limit: number,
	task: (index: number) => Promise<T>,
	stopOnError: boolean,
): Promise<Array<Outcome<T>>> {
	return await startBounded(count, limit, task, stopOnError).done;
}
