// @ts-check
// A trigger's webhook served on 127.0.0.1 the way n8n's webhook server serves a published workflow, so that fal's
// deliveries (the emulator's, over real HTTP) reach the node's webhook() through n8n-core's own WebhookContext, and
// what it returns starts an execution in n8n's engine. What is n8n's here, and what stands in for its server:
// - the request: n8n's body parser keeps the raw bytes (`req.rawBody`, which fal's signature covers) and parses a JSON
//   body with n8n-workflow's jsonParse; the query as a plain object; the response answers `status(n).json(body)` as
//   express's does (the only part of express the trigger uses);
// - the workflow and its static data are loaded anew for each request, as n8n reads them from its database per
//   request, and the static data is saved after the webhook has answered, when it changed
//   (WorkflowStaticDataService.saveStaticData): two simultaneous requests do not see each other's changes, as in n8n;
// - webhook() runs in n8n-core's WebhookContext (as WebhookService.runWebhook calls it), with n8n's credential
//   handling, HTTP helpers and logger;
// - when it returns workflowData, an execution starts with those items at the trigger (runWorkflow: n8n-core's
//   WorkflowExecute), as executeWebhook starts the workflow.
const http = require('node:http');
const { WebhookContext } = require('n8n-core');
const { Workflow, jsonParse } = require('n8n-workflow');
const { runWorkflow } = require('./index');
const { TestCredentialsHelper } = require('./credentials-helper');
const { createNodeTypes, loadPackage } = require('./node-types');

/**
 * @typedef {object} Answer  what the webhook answered one request
 * @property {number} status
 * @property {any} body
 * @property {boolean} started  whether it started an execution
 */

/**
 * Serves the webhook of the workflow's trigger node until close().
 * @param {{ workflow: any, credentials: Record<string, import('n8n-workflow').ICredentialDataDecryptedObject> }} o
 *   workflow: an n8n workflow export whose start node is the trigger (with its webhookId)
 */
async function serveTrigger({ workflow: json, credentials }) {
	const nodeTypes = createNodeTypes();
	const { credential } = loadPackage();
	const trigger = json.nodes.find((/** @type {any} */ n) => n.webhookId);
	const nodeType = nodeTypes.getByName(trigger.type);
	const description = nodeType.description.webhooks?.[0];
	if (!description || !nodeType.webhook) throw new Error(`${trigger.type} has no webhook`);
	/** The workflow's static data as n8n's database holds it between requests. */
	const saved = { staticData: /** @type {Record<string, unknown>} */ ({}) };
	/** @type {Set<Promise<void>>} */
	const inFlight = new Set();
	/** @type {Promise<any>[]} */
	const executions = [];
	/** @type {Answer[]} */
	const answers = [];
	/** Errors of the harness itself (a test fails on them through idle()). @type {unknown[]} */
	const failures = [];
	/** Requests held until all of them have loaded the workflow (see together()). */
	let meeting = /** @type {{ count: number, arrived: number, all: Promise<void>, open: () => void } | undefined} */ (undefined);

	/** @param {http.IncomingMessage & Record<string, any>} req @param {http.ServerResponse & Record<string, any>} res */
	async function handle(req, res) {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		req.rawBody = Buffer.concat(chunks);
		req.contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim();
		req.body = req.contentType === 'application/json' && req.rawBody.length ? jsonParse(req.rawBody.toString('utf8')) : {};
		req.query = Object.fromEntries(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams);
		req.params = {};
		let body;
		res.status = (/** @type {number} */ code) => ((res.statusCode = code), res);
		res.json = (/** @type {unknown} */ data) => {
			body = data;
			res.setHeader('content-type', 'application/json; charset=utf-8');
			res.end(JSON.stringify(data));
			return res;
		};

		const workflow = new Workflow({
			id: 'trigger-workflow',
			name: json.name ?? 'trigger',
			nodes: json.nodes,
			connections: json.connections,
			nodeTypes,
			active: true,
			staticData: JSON.parse(JSON.stringify(saved.staticData)),
			settings: json.settings ?? {},
		});
		if (meeting) {
			const m = meeting;
			m.arrived += 1;
			if (m.arrived === m.count) {
				meeting = undefined;
				m.open();
			}
			await m.all;
		}
		/** @type {any} */
		const additionalData = {
			credentialsHelper: new TestCredentialsHelper({ [credential.name]: credential }, credentials),
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			variables: {},
			httpRequest: req,
			httpResponse: res,
		};
		const node = workflow.getNode(trigger.name);
		const webhookData = {
			httpMethod: description.httpMethod,
			node: trigger.name,
			path: `${trigger.webhookId}/${description.path}`,
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: trigger.webhookId,
			isTest: false,
		};
		const context = new WebhookContext(workflow, /** @type {any} */ (node), additionalData, 'webhook', /** @type {any} */ (webhookData), [], null);
		/** @type {import('n8n-workflow').IWebhookResponseData} */
		let result;
		try {
			result = await nodeType.webhook.call(/** @type {any} */ (context));
		} catch (error) {
			// n8n answers 500 and records the error (executeWebhook)
			if (!res.headersSent) res.status(500).json({ message: 'Error in workflow', detail: String(error) });
			answers.push({ status: 500, body, started: false });
			return;
		}
		// n8n saves changed static data once the webhook has answered (live-webhooks.ts → saveStaticData)
		if (workflow.staticData.__dataChanged === true) {
			const { __dataChanged, ...data } = JSON.parse(JSON.stringify(workflow.staticData));
			saved.staticData = data;
		}
		const items = result.workflowData?.[0];
		answers.push({ status: res.statusCode, body, started: items !== undefined });
		if (items) executions.push(runWorkflow(json, { credentials, startItems: items }));
	}

	const server = http.createServer((req, res) => {
		const done = handle(/** @type {any} */ (req), /** @type {any} */ (res)).catch((error) => {
			failures.push(error);
			if (!res.headersSent) res.writeHead(500).end(String(error));
		});
		inFlight.add(done);
		done.finally(() => inFlight.delete(done));
	});
	server.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const url = `http://127.0.0.1:${address.port}/webhook/${trigger.webhookId}/${description.path}`;

	return {
		url,
		answers,
		executions,
		/** The static data n8n would hold for the workflow now. */
		staticData: () => saved.staticData,
		/**
		 * The next `count` requests arrive at the same moment, as n8n sees it: each has loaded the workflow and its
		 * static data before any of them runs the webhook (in n8n, requests that overlap while the webhook runs).
		 * @param {number} count
		 */
		together(count) {
			let open = () => {};
			const all = new Promise((resolve) => (open = () => resolve(undefined)));
			meeting = { count, arrived: 0, all, open };
		},
		/** Resolves once every request that arrived has been handled (its execution, if any, started). */
		async idle() {
			while (inFlight.size > 0) await Promise.all([...inFlight]);
			if (failures.length > 0) throw failures[0];
		},
		/** The executions started so far, once they have ended. */
		async runs() {
			return await Promise.all(executions);
		},
		/** Forgets the answers, executions and static data (a fresh workflow). */
		reset() {
			failures.length = 0;
			answers.length = 0;
			executions.length = 0;
			saved.staticData = {};
		},
		async close() {
			const closed = new Promise((resolve) => server.close(resolve));
			server.closeAllConnections();
			await closed;
		},
	};
}

module.exports = { serveTrigger };
