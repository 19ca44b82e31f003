import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { Batch } from './batch';

/**
 * An operation of the node. `prepare` reads and checks one item's parameters without spending
 * anything, so that every item is checked before the first job is submitted; `run` does the work.
 */
export interface Operation<Prepared> {
	name: string;
	value: string;
	description: string;
	action: string;
	properties: INodeProperties[];
	prepare(ctx: IExecuteFunctions, itemIndex: number): Promise<Prepared>;
	/** Checks the run as a whole once every item is prepared, before anything is spent (the spending guard). */
	beforeRun?(ctx: IExecuteFunctions, prepared: Prepared[], batch: Batch): Promise<void>;
	run(ctx: IExecuteFunctions, prepared: Prepared, batch: Batch): Promise<INodeExecutionData>;
}
