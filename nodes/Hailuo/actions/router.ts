import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { getFalOrigins } from '../transport/fal';
import { generate } from './generate';
import type { Operation } from './operation';
import { runBounded } from './pool';

/** Every operation of the node, by its `operation` parameter value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const OPERATIONS: Record<string, Operation<any>> = {
	[generate.value]: generate,
};

// How many items of one execution are worked on at once. One keeps the order of fal calls simple
// while the rest of the package is built; the pool already takes any limit.
const ITEMS_IN_FLIGHT = 1;

function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const failure = error as { message?: string; description?: string; context?: IDataObject; httpCode?: string };
	const json: IDataObject = { error: failure.message ?? String(error) };
	if (failure.description) json.errorDescription = failure.description;
	if (failure.context?.requestId) json.requestId = failure.context.requestId;
	if (failure.httpCode) json.httpCode = failure.httpCode;
	return { json, pairedItem: { item: itemIndex } };
}

/** Our own errors already name their item; anything else is wrapped so that it does. */
function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = OPERATIONS[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported`);
	}

	const items = this.getInputData();
	const continueOnFail = this.continueOnFail();

	// Every item is checked before anything is sent to fal: a bad item either fails alone
	// (continue on fail) or stops the run before the first job is submitted.
	const prepared: Array<{ request: unknown } | { error: unknown }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			prepared.push({ request: await operation.prepare(this, itemIndex) });
		} catch (error) {
			const failure = asNodeError(this, error, itemIndex);
			if (!continueOnFail) throw failure;
			prepared.push({ error: failure });
		}
	}

	const origins = await getFalOrigins(this);
	const outcomes = await runBounded(
		items.length,
		ITEMS_IN_FLIGHT,
		async (itemIndex) => {
			const entry = prepared[itemIndex];
			if ('error' in entry) throw entry.error;
			try {
				return await operation.run(this, entry.request, origins);
			} catch (error) {
				throw asNodeError(this, error, itemIndex);
			}
		},
		!continueOnFail,
	);

	return [outcomes.map((outcome, itemIndex) => (outcome.ok ? outcome.value : errorItem(outcome.error, itemIndex)))];
}
