// @ts-check
// Builds the workflow JSON the engine tests run: Start → Fixture Items → Hailuo Video, as a person
// would wire them on the canvas. The Hailuo node is addressed by its real community-package type.

/**
 * @param {object} spec
 * @param {Array<object>} [spec.items] fixture items: { json, binary?: { field: { path, mimeType?, fileName? } } }
 * @param {Record<string, unknown>} spec.parameters the Hailuo node's parameters
 * @param {boolean} [spec.continueOnFail] the node's "On Error: Continue" setting
 * @param {{ retryOnFail?: boolean, maxTries?: number, waitBetweenTries?: number }} [spec.settings] the node's
 *   settings tab (Retry On Fail)
 * @param {number} [spec.thenHoldMs] a next step after the Hailuo node that takes this long (a "Hold" node)
 * @param {number} [spec.loopTimes] the Hailuo node runs this many times in the execution (a "Loop" node sends its
 *   output back to it), as inside Loop Over Items
 */
function hailuoWorkflow({ items = [{ json: {} }], parameters, continueOnFail = false, settings = {}, thenHoldMs, loopTimes }) {
	const workflow = {
		name: 'Hailuo test',
		nodes: [
			{ id: 'n1', name: 'Start', type: 'test.start', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'n2',
				name: 'Fixture Items',
				type: 'test.fixture',
				typeVersion: 1,
				position: [200, 0],
				parameters: { items: JSON.stringify(items) },
			},
			{
				id: 'n3',
				name: 'Hailuo Video',
				type: 'n8n-nodes-hailuo.hailuo',
				typeVersion: 1,
				position: [400, 0],
				parameters: { operation: 'generate', ...parameters },
				credentials: { hailuoApi: { id: 'cred-1', name: 'Hailuo (emulator)' } },
				...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
				...settings,
			},
		],
		connections: {
			Start: { main: [[{ node: 'Fixture Items', type: 'main', index: 0 }]] },
			'Fixture Items': { main: [[{ node: 'Hailuo Video', type: 'main', index: 0 }]] },
		},
	};
	if (loopTimes !== undefined) {
		workflow.nodes.push({ id: 'n5', name: 'Loop', type: 'test.loop', typeVersion: 1, position: [600, 200], parameters: /** @type {any} */ ({ times: loopTimes }) });
		/** @type {any} */ (workflow.connections)['Hailuo Video'] = { main: [[{ node: 'Loop', type: 'main', index: 0 }]] };
		/** @type {any} */ (workflow.connections).Loop = { main: [[{ node: 'Hailuo Video', type: 'main', index: 0 }], []] };
	}
	if (thenHoldMs !== undefined) {
		workflow.nodes.push({ id: 'n4', name: 'Hold', type: 'test.hold', typeVersion: 1, position: [600, 0], parameters: /** @type {any} */ ({ ms: thenHoldMs }) });
		/** @type {any} */ (workflow.connections)['Hailuo Video'] = { main: [[{ node: 'Hold', type: 'main', index: 0 }]] };
	}
	return workflow;
}

module.exports = { hailuoWorkflow };
