import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { HailuoModel } from '../shared/models/table';
import { invalid } from './validate';

/**
 * Camera movement for the models that read MiniMax's camera commands (Hailuo 2.3 and 02): the chosen moves are
 * written into the prompt as MiniMax documents them, at its start, combined in one bracket ("[Pan left, Push in]"),
 * at most three at once. H3 has its own prompt grammar and is offered none.
 */

export const CAMERA_COMMANDS = [
	'Truck left',
	'Truck right',
	'Pan left',
	'Pan right',
	'Push in',
	'Pull out',
	'Pedestal up',
	'Pedestal down',
	'Tilt up',
	'Tilt down',
	'Zoom in',
	'Zoom out',
	'Shake',
	'Tracking shot',
	'Static shot',
] as const;

const MOST_AT_ONCE = 3;

export const cameraMovementField = (models: readonly HailuoModel[]): INodeProperties => ({
	displayName: 'Camera Movement',
	name: 'cameraMovement',
	type: 'multiOptions',
	options: CAMERA_COMMANDS.map((command) => ({ name: command, value: command })),
	default: [],
	description: `Up to ${MOST_AT_ONCE} camera moves at once, written into the prompt as MiniMax's camera command (e.g. "[Pan left, Push in]" before the prompt)`,
	displayOptions: { show: { model: models.filter((model) => model.cameraCommands).map((model) => model.endpoint) } },
});

/** The item's camera moves, checked: known commands, at most three. */
export function readCameraMoves(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel): string[] {
	if (!model.cameraCommands) return [];
	const raw = ctx.getNodeParameter('cameraMovement', itemIndex, []) as unknown;
	const moves = (Array.isArray(raw) ? raw : typeof raw === 'string' && raw.trim() ? raw.split(',') : []).map((move) => String(move).trim());
	const known = new Map(CAMERA_COMMANDS.map((command) => [command.toLowerCase(), command]));
	const unknown = moves.find((move) => !known.has(move.toLowerCase()));
	if (unknown !== undefined) throw invalid(ctx.getNode(), itemIndex, 'Camera Movement', `"${unknown.slice(0, 40)}" is not one of MiniMax's camera commands`);
	if (moves.length > MOST_AT_ONCE) {
		throw invalid(ctx.getNode(), itemIndex, 'Camera Movement', `has ${moves.length} moves; MiniMax takes at most ${MOST_AT_ONCE} at once`);
	}
	return [...new Set(moves.map((move) => known.get(move.toLowerCase()) as string))];
}

/** The prompt as sent: the camera command first, when there is one. */
export function withCameraMoves(prompt: string, moves: readonly string[]): string {
	return moves.length > 0 ? `[${moves.join(', ')}] ${prompt}` : prompt;
}
