// @ts-check
// Runs the credential's test request the way n8n's CredentialsTester (packages/cli) does it: a temporary
// node whose one property routes the credential's `test.request`, run by n8n-core's own RoutingNode in an
// ExecuteContext, so that n8n resolves the template, applies the credential's authentication and sends the
// request. Only the verdict (the tester's last few lines) is restated here: a request that throws with an
// HTTP status is "Error", one that answers is "OK". The real tester is exercised in real n8n
// (test/e2e/server-mode: the credential dialog's REST call).
const { ExecuteContext, RoutingNode } = require('n8n-core');
const { Workflow, createEmptyRunExecutionData } = require('n8n-workflow');
const { TestCredentialsHelper } = require('./credentials-helper');
const { loadPackage } = require('./node-types');

/** @param {import('n8n-workflow').ICredentialDataDecryptedObject} data */
async function testCredential(data) {
	const { credential } = loadPackage();
	const credentialsHelper = new TestCredentialsHelper({ [credential.name]: credential }, { [credential.name]: data });
	/** @type {any} */
	const tempType = {
		description: {
			name: 'temp',
			displayName: 'Temp',
			version: 1,
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credential.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: /** @type {any} */ (credential.test).request },
					default: '',
				},
			],
		},
	};
	const node = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'temp',
		typeVersion: 1,
		position: /** @type {[number, number]} */ ([0, 0]),
		parameters: {},
		credentials: { [credential.name]: { id: 'c1', name: 'Hailuo' } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: /** @type {any} */ ({ getByName: () => tempType, getByNameAndVersion: () => tempType, getKnownTypes: () => ({}) }),
	});
	/** @type {any} */
	const additionalData = { credentialsHelper, restApiUrl: '', instanceBaseUrl: '', variables: {}, userId: 'test-user' };
	const executeData = { node, data: {}, source: null };
	const context = new ExecuteContext(workflow, node, additionalData, 'internal', createEmptyRunExecutionData(), 0, [], { main: [[{ json: {} }]] }, /** @type {any} */ (executeData), []);
	const credentialsDecrypted = { id: 'c1', name: 'Hailuo', type: credential.name, data: await credentialsHelper.getDecrypted(undefined, undefined, credential.name) };
	try {
		await new RoutingNode(context, tempType, credentialsDecrypted).runNode();
		return { status: 'OK' };
	} catch (error) {
		const httpStatus = /** @type {any} */ (error).cause?.response?.status;
		return { status: 'Error', httpStatus, message: String(/** @type {any} */ (error).message) };
	}
}

module.exports = { testCredential };
