// @ts-check
// Runs the credential's test request the way n8n's credential tester does: the request template's
// expressions resolved against the stored data, the generic authentication applied, then sent.
const { Workflow } = require('n8n-workflow');
const { TestCredentialsHelper } = require('./credentials-helper');
const { createNodeTypes, loadPackage } = require('./node-types');

/** @param {import('n8n-workflow').ICredentialDataDecryptedObject} data */
async function testCredential(data) {
	const { credential } = loadPackage();
	const helper = new TestCredentialsHelper({ [credential.name]: credential }, { [credential.name]: data });
	const node = { id: 't', name: 'Temp', type: 'test.start', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({ nodes: [/** @type {any} */ (node)], connections: {}, nodeTypes: createNodeTypes(), active: false });
	const stored = await helper.getDecrypted(undefined, undefined, credential.name);
	const resolve = (/** @type {unknown} */ value) => helper.resolve(value, stored, workflow, /** @type {any} */ (node));
	const template = /** @type {any} */ (credential.test).request;
	const url = new URL(String(resolve(template.baseURL)) + template.url);
	for (const [key, value] of Object.entries(template.qs ?? {})) url.searchParams.set(key, String(value));
	const request = await helper.authenticate(stored, credential.name, { url: url.href, headers: {} }, workflow, /** @type {any} */ (node));
	const response = await fetch(request.url, { method: template.method ?? 'GET', headers: request.headers });
	return { url: request.url, status: response.status };
}

module.exports = { testCredential };
