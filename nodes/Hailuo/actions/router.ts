import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_MAX_IN_FLIGHT } from '../description/fields';
import { getFalOrigins } from '../transport/fal';
import { cancel } from './cancel';
import { generate } from './generate';
import { getResultOperation } from './get-result';
import { getStatusOperation } from './get-status';
import type { Operation } from './operation';
import { runBounded, type Outcome } from './pool';
import { RunContext } from './run-context';
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

/** The node fails: its error also names every paid job of this run whose video is in no output. */
function withJobsWithoutOutput(error: NodeOperationError | NodeApiError, run: RunContext): Error {
	const others = run.jobsWithoutOutput(error.context?.requestId);
	if (others.length === 0) return error;
	const list = `Other jobs this run submitted, whose videos are in no output: ${others.join('; ')}.`;
	error.description = [error.description, list].filter(Boolean).join(' ');
	error.context = { ...error.context, otherRequestIds: others };
	return error;
}

function firstFailure(outcomes: Array<Outcome<unknown>>): unknown {
	for (const outcome of outcomes) if (!outcome.ok) return outcome.error;
	return undefined;
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
	const prepared = await runBounded(
		items.length,
		limit,
		async (itemIndex) => {
			try {
				return await operation.prepare(this, itemIndex);
			} catch (error) {
				throw asNodeError(this, error, itemIndex);
			}
		},
		false,
	);
	const badItem = firstFailure(prepared);
	if (!continueOnFail && badItem) throw badItem;

	const run = new RunContext(await getFalOrigins(this), !continueOnFail);
	const ready = prepared.flatMap((entry) => (entry.ok ? [entry.value] : []));
	const refusal = operation.beforeRun ? await operation.beforeRun(this, ready, run).then(() => undefined, (error: unknown) => error) : undefined;
	if (refusal && !continueOnFail) throw asNodeError(this, refusal, 0);
	let outcomes: Array<Outcome<INodeExecutionData>>;
	try {
		outcomes = await runBounded(
			items.length,
			limit,
			async (itemIndex) => {
				const entry = prepared[itemIndex];
				if (!entry.ok) throw entry.error;
				if (refusal) throw new NodeOperationError(this.getNode(), (refusal as Error).message, { itemIndex, description: (refusal as NodeOperationError).description ?? undefined });
				try {
					return await operation.run(this, entry.value, run);
				} catch (error) {
					run.itemFailed();
					throw asNodeError(this, error, itemIndex);
				}
			},
			!continueOnFail,
		);
	} catch (error) {
		throw withJobsWithoutOutput(error as NodeOperationError, run);
	}

	return [outcomes.map((outcome, itemIndex) => (outcome.ok ? outcome.value : errorItem(outcome.error, itemIndex)))];
}
