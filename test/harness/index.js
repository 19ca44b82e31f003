// @ts-check
// Runs a workflow JSON through n8n's real execution engine (n8n-core's WorkflowExecute over an
// n8n-workflow Workflow), with real credential handling and a real binary data service in
// filesystem mode. Nothing of IExecuteFunctions is faked: the node under test gets the context n8n
// builds for it.
// n8n's own logger would print every node error the tests provoke on purpose.
process.env.N8N_LOG_LEVEL ??= 'silent';

const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute } = require('n8n-core');
const { LoggerProxy, Workflow } = require('n8n-workflow');
const { TestCredentialsHelper } = require('./credentials-helper');
const { createNodeTypes, loadPackage } = require('./node-types');

// n8n-core resolves its services from its own copy of the DI container.
const coreDir = path.dirname(require.resolve('n8n-core'));
const { Container } = require(require.resolve('@n8n/di', { paths: [coreDir] }));
const { Logger } = require(require.resolve('@n8n/backend-common', { paths: [coreDir] }));

/**
 * What nodes write to n8n's log (`this.logger` in a node is n8n's Logger from the container): kept, so that a
 * test can read what a person would find in n8n's log.
 * @type {Array<{ level: string, message: string, meta?: unknown }>}
 */
const nodeLog = [];
const capturingLogger = {
	error: (/** @type {string} */ message, /** @type {unknown} */ meta) => nodeLog.push({ level: 'error', message, meta }),
	warn: (/** @type {string} */ message, /** @type {unknown} */ meta) => nodeLog.push({ level: 'warn', message, meta }),
	info: (/** @type {string} */ message, /** @type {unknown} */ meta) => nodeLog.push({ level: 'info', message, meta }),
	debug() {},
	scoped() {
		return capturingLogger;
	},
};
Container.set(Logger, capturingLogger);

const silentLogger = {
	error() {},
	warn() {},
	info() {},
	debug() {},
	scoped() {
		return silentLogger;
	},
};

// The engine logs node errors; the tests assert on them instead.
LoggerProxy.init(silentLogger);

/** @type {Record<string, Promise<{ service: any, dir: string }>>} */
const binaryStores = {};

/**
 * One binary data store per mode and test process, as n8n has one per instance: 'filesystem' (2.x's default) or
 * 'default' (in memory, in the execution's data: 1.x's default). A run puts its mode's store in n8n's container.
 * @param {'filesystem' | 'default'} [mode]
 */
async function useBinaryStore(mode = 'filesystem') {
	binaryStores[mode] ??= (async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'hailuo-binary-'));
		const config = { mode, availableModes: [mode], localStoragePath: dir, signingSecret: 'test', dbMaxFileSize: 512 };
		const service = new BinaryDataService(config, { error() {}, warn() {}, info() {} }, silentLogger);
		await service.init();
		return { service, dir };
	})();
	const store = await binaryStores[mode];
	Container.set(BinaryDataService, store.service);
	return store;
}

/** One filesystem binary data store per test process. */
async function useFilesystemBinaryStore() {
	return await useBinaryStore('filesystem');
}

let executionCounter = 0;

/**
 * @typedef {object} RunOptions
 * @property {Record<string, import('n8n-workflow').ICredentialDataDecryptedObject>} [credentials] stored credential data by type
 * @property {(cancel: () => void) => void} [onStarted] receives a function that cancels the execution (n8n's Stop button)
 * @property {Array<import('n8n-workflow').INodeExecutionData>} [startItems] what the start node gets (a trigger's
 *   webhook output, for a trigger that has its own execute); default one empty item
 * @property {'filesystem' | 'default'} [binaryMode] n8n's binary data mode (default 'filesystem')
 *
 * @param {any} workflowJson an n8n workflow export: { nodes, connections, settings? }
 * @param {RunOptions} [options]
 */
async function runWorkflow(workflowJson, options = {}) {
	const { service: binaryData } = await useBinaryStore(options.binaryMode);
	const nodeTypes = createNodeTypes();
	const { credential } = loadPackage();
	const credentialsHelper = new TestCredentialsHelper({ [credential.name]: credential }, options.credentials ?? {});

	const workflow = new Workflow({
		id: 'test-workflow',
		name: workflowJson.name ?? 'test',
		nodes: workflowJson.nodes,
		connections: workflowJson.connections,
		nodeTypes,
		active: false,
		settings: workflowJson.settings ?? {},
	});

	const executionId = String(++executionCounter);
	const hooks = new ExecutionLifecycleHooks('manual', executionId, /** @type {any} */ ({ id: 'test-workflow', nodes: workflowJson.nodes, connections: workflowJson.connections }));
	/** @type {Promise<import('n8n-workflow').IRun>} */
	const finished = new Promise((resolve) => hooks.addHandler('workflowExecuteAfter', (/** @type {any} */ run) => resolve(run)));

	/** @type {any} */
	const additionalData = {
		credentialsHelper,
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		userId: 'test-user',
		async getRunExecutionData() {
			return undefined;
		},
		async executeWorkflow() {
			throw new Error('sub-workflows are not used in these tests');
		},
		async getRuntimeCredential() {
			return undefined;
		},
	};

	// The run starts at the one node nothing connects into, as n8n starts at the trigger.
	const startNode = Object.values(workflow.nodes).find((node) => workflow.getParentNodes(node.name).length === 0);
	if (!startNode) throw new Error('The workflow has no start node');
	/** @type {import('n8n-workflow').IRunExecutionData} */
	const runExecutionData = /** @type {any} */ ({
		version: 1,
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node: startNode, data: { main: [options.startItems ?? [{ json: {} }]] }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	});

	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	const running = execution.processRunExecutionData(workflow);
	options.onStarted?.(() => running.cancel());
	await running.catch(() => undefined);
	/** @type {import('n8n-workflow').IRun} */
	const run = await finished;
	return new WorkflowRun(run, binaryData, credentialsHelper);
}

class WorkflowRun {
	/**
	 * @param {import('n8n-workflow').IRun} run
	 * @param {any} binaryData
	 * @param {TestCredentialsHelper} credentialsHelper
	 */
	constructor(run, binaryData, credentialsHelper) {
		this.run = run;
		this.binaryData = binaryData;
		this.credentialsHelper = credentialsHelper;
	}

	get status() {
		return this.run.status;
	}

	/** The error that stopped the execution, if any. */
	get error() {
		return this.run.data.resultData.error;
	}

	/** @param {string} nodeName the node's first output, as the next node receives it */
	output(nodeName) {
		const runs = this.run.data.resultData.runData[nodeName];
		if (!runs) throw new Error(`Node "${nodeName}" did not run`);
		return runs[0].data?.main[0] ?? [];
	}

	/** @param {string} nodeName the error the node ended with, if any */
	nodeError(nodeName) {
		return this.run.data.resultData.runData[nodeName]?.[0]?.error;
	}

	/** @param {import('n8n-workflow').IBinaryData} binary the stored file's bytes */
	async bytesOf(binary) {
		return await this.binaryData.getAsBuffer(binary);
	}

	/** @param {import('n8n-workflow').IBinaryData} binary where filesystem mode stored the file */
	pathOf(binary) {
		if (!binary.id) throw new Error('binary data has no id: not in filesystem mode');
		return this.binaryData.getPath(binary.id);
	}
}

module.exports = { runWorkflow, useBinaryStore, useFilesystemBinaryStore, nodeLog };
