import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_TIMEOUT_MINUTES } from '../description/fields';
import { sleepUnlessAborted } from '../../../fal/cancellation';
import { FalSession } from '../../../fal/session';
import { Batch } from './batch';
import { cancel } from './cancel';
import { generate } from './generate';
import { getResultOperation } from './get-result';
import { getStatusOperation } from './get-status';
import type { Operation } from './operation';
import { runBounded, startBounded, type Outcome } from './pool';
import { submit } from './submit';
/** Every operation of the node, by its `operation` parameter value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const OPERATIONS: Record<string, Operation<any>> = {
	[generate.value]: generate,
	[submit.value]: submit,
	[getStatusOperation.value]: getStatusOperation,
	[getResultOperation.value]: getResultOperation,
	[cancel.value]: cancel,
};

/** How many items of one execution are worked on at once: Options → Max Videos in Flight (read from the first item). */
function itemsInFlight(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as { maxInFlight?: unknown };
	const limit = Math.floor(Number(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
	return Number.isFinite(limit) ? Math.min(100, Math.max(1, limit)) : DEFAULT_MAX_IN_FLIGHT;
}

function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const failure = error as { message?: string; description?: string; context?: IDataObject; httpCode?: string };
	const json: IDataObject = { error: failure.message ?? String(error) };
	if (failure.description) json.errorDescription = failure.description;
	if (failure.context?.requestId) json.requestId = failure.context.requestId;
	if (failure.httpCode) json.httpCode = failure.httpCode;
	return { json, pairedItem: { item: itemIndex } };
}

/** Our own errors already name their item; anything else is wrapped so that it does. */
function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError | NodeApiError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

// After the first failure, the other items are given this long to let go (a submit already sent comes back with
// its job's id) before the run's jobs are settled and the node fails.
const LET_GO_MS = 2_000;

/**
 * The node fails at once: the run's other jobs are settled (cancelled while still in fal's queue, named while
 * running or finished) and the error says so.
 */
async function failWithSettledJobs(error: NodeOperationError | NodeApiError, batch: Batch, settled: Promise<void>): Promise<never> {
	await Promise.race([settled, sleepUnlessAborted(LET_GO_MS, undefined)]);
	const others = await batch.settleAfterFailure(error.context?.itemIndex);
	if (others) error.description = [error.description, others].filter(Boolean).join(' ');
	throw error;
}

function firstFailure(outcomes: Array<Outcome<unknown>>): unknown {
	for (const outcome of outcomes) if (!outcome.ok) return outcome.error;
	return undefined;
}

/** A refusal of the whole run (the spending guard), as the error of one item. */
function refusedItem(ctx: IExecuteFunctions, refusal: unknown, itemIndex: number): NodeOperationError {
	const { message, description } = refusal as NodeOperationError;
	return new NodeOperationError(ctx.getNode(), message, { itemIndex, description: description ?? undefined });
}

/** How long a call may be held back by fal's Retry-After: as long as the run waits for a video. */
function maxBackoffMs(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as { timeoutMinutes?: number };
	return (options.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000;
}

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = OPERATIONS[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported`);
	}

	const items = this.getInputData();
	const continueOnFail = this.continueOnFail();
	const limit = itemsInFlight(this);

	// Every item is checked before anything is sent to fal: a bad item either fails alone
	// (continue on fail) or stops the run before the first job is submitted.
	const prepareItem = async (itemIndex: number) => {
		try {
			return await operation.prepare(this, itemIndex);
		} catch (error) {
			throw asNodeError(this, error, itemIndex);
		}
	};
	const prepared = await runBounded(items.length, limit, prepareItem, false);
	const badItem = firstFailure(prepared);
	if (!continueOnFail && badItem) throw badItem;

	const batch = new Batch(this, await FalSession.open(this, maxBackoffMs(this)), !continueOnFail);
	let failed = true;
	try {
		const ready = prepared.flatMap((entry) => (entry.ok ? [entry.value] : []));
		const refusal = await operation.beforeRun?.(this, ready, batch).then(
			() => undefined,
			(error: unknown) => error,
		);
		if (refusal && !continueOnFail) throw asNodeError(this, refusal, 0);

		// the first item to fail is the run's error (the others' errors are only its echo: the run gave up on them)
		let firstError: NodeOperationError | NodeApiError | undefined;
		const runItem = async (itemIndex: number) => {
			const entry = prepared[itemIndex];
			if (!entry.ok) throw entry.error;
			if (refusal) throw refusedItem(this, refusal, itemIndex);
			try {
				return await operation.run(this, entry.value, batch);
			} catch (error) {
				const nodeError = asNodeError(this, error, itemIndex);
				firstError ??= nodeError;
				batch.itemFailed();
				throw nodeError;
			}
		};
		const itemRuns = startBounded(items.length, limit, runItem, !continueOnFail);
		const outcomes = await itemRuns.done.catch(async (error: unknown) => {
			return await failWithSettledJobs(firstError ?? (error as NodeOperationError), batch, itemRuns.settled);
		});
		failed = false;
		return [outcomes.map((outcome, itemIndex) => (outcome.ok ? outcome.value : errorItem(outcome.error, itemIndex)))];
	} finally {
		batch.close(failed);
	}
}
