import { sleepUnlessAborted } from './cancellation';

/**
 * Reading a streamed response body (a video download, fal's status stream) with a time limit that the
 * reader sets from the moment of the last chunk: when it passes, or the execution is stopped, the wait
 * for the next chunk ends at once with a `ReadGaveUp`, whether or not destroying the body unblocks its
 * reader (a body made from a web stream waits for its pending read). One watchdog per body, ticking
 * once a second; no timer per chunk.
 */

/** A response body as n8n's HTTP helpers return it with `encoding: 'stream'` (a Node Readable). */
export interface BodyStream extends AsyncIterable<Buffer> {
	destroy(error?: Error): void;
}

export class ReadGaveUp extends Error {
	constructor(
		readonly kind: string,
		message: string,
	) {
		super(message);
	}
}

/** When to give up, given the time the last chunk came (or the read began). */
export type Expiry = (lastChunkAt: number) => { at: number; kind: string; message: string };

const WATCHDOG_TICK_MS = 1_000;

export async function* readWithin(body: BodyStream, expiry: Expiry, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
	let lastChunkAt = Date.now();
	// The reason to give up, once there is one, and the way to end the read waiting for a chunk now. A
	// fresh promise per chunk: one long-lived promise raced against every chunk would keep every chunk
	// reachable until the end of the read (a whole video in memory).
	let failure: Error | undefined;
	let failCurrent: ((error: Error) => void) | undefined;
	const giveUp = (error: Error) => {
		failure ??= error;
		failCurrent?.(failure);
	};
	const finished = new AbortController();
	const onCancel = () => giveUp(new ReadGaveUp('stopped', 'the execution was stopped'));
	signal?.addEventListener('abort', onCancel, { once: true });
	void (async () => {
		while (!finished.signal.aborted) {
			const limit = expiry(lastChunkAt);
			await sleepUnlessAborted(Math.max(1, Math.min(WATCHDOG_TICK_MS, limit.at - Date.now())), finished.signal);
			const now = expiry(lastChunkAt);
			if (!finished.signal.aborted && Date.now() >= now.at) {
				giveUp(new ReadGaveUp(now.kind, now.message));
				return;
			}
		}
	})();
	const chunks = body[Symbol.asyncIterator]();
	try {
		for (;;) {
			if (failure) throw failure;
			const { done, value } = await new Promise<IteratorResult<Buffer>>((resolve, reject) => {
				failCurrent = reject;
				chunks.next().then(resolve, reject);
			});
			failCurrent = undefined;
			if (done) return;
			lastChunkAt = Date.now();
			yield value;
		}
	} finally {
		finished.abort();
		signal?.removeEventListener('abort', onCancel);
		body.destroy();
	}
}
