// @ts-check
// Credential handling as n8n's own CredentialsHelper does it: stored data merged over the credential
// type's defaults, and a generic `authenticate` template resolved with n8n's expression engine.
const { ICredentialsHelper } = require('n8n-workflow');

class TestCredentialsHelper extends ICredentialsHelper {
	/**
	 * @param {Record<string, import('n8n-workflow').ICredentialType>} types
	 * @param {Record<string, import('n8n-workflow').ICredentialDataDecryptedObject>} stored
	 */
	constructor(types, stored) {
		super();
		this.types = types;
		this.stored = stored;
		/** Every request the helper authenticated, after authentication (the key redacted). */
		this.authenticatedUrls = /** @type {string[]} */ ([]);
	}

	/** @param {string} name */
	type(name) {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown credential type ${name}`);
		return type;
	}

	getParentTypes() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}

	/** @param {string} name */
	getCredentialsProperties(name) {
		return this.type(name).properties;
	}

	/**
	 * @param {any} _additionalData
	 * @param {any} _nodeCredentials
	 * @param {string} name
	 */
	async getDecrypted(_additionalData, _nodeCredentials, name) {
		/** @type {import('n8n-workflow').ICredentialDataDecryptedObject} */
		const defaults = {};
		for (const property of this.type(name).properties) defaults[property.name] = /** @type {any} */ (property.default);
		return { ...defaults, ...(this.stored[name] ?? {}) };
	}

	/**
	 * @param {import('n8n-workflow').ICredentialDataDecryptedObject} credentials
	 * @param {string} name
	 * @param {any} requestOptions
	 * @param {import('n8n-workflow').Workflow} workflow
	 * @param {import('n8n-workflow').INode} node
	 */
	async authenticate(credentials, name, requestOptions, workflow, node) {
		const { authenticate } = this.type(name);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate && authenticate.type === 'generic') {
			const resolve = (/** @type {unknown} */ value) => this.resolve(value, credentials, workflow, node);
			for (const [outer, entries] of Object.entries(authenticate.properties)) {
				requestOptions[outer] = requestOptions[outer] ?? {};
				for (const [key, value] of Object.entries(entries)) {
					requestOptions[outer][String(resolve(key))] = resolve(value);
				}
			}
		}
		this.authenticatedUrls.push(String(requestOptions.url));
		return requestOptions;
	}

	/**
	 * A value of a credential template: an expression (`=…`) is resolved with `$credentials`, as n8n does.
	 * @param {unknown} value
	 * @param {import('n8n-workflow').ICredentialDataDecryptedObject} credentials
	 * @param {import('n8n-workflow').Workflow} workflow
	 * @param {import('n8n-workflow').INode} node
	 */
	resolve(value, credentials, workflow, node) {
		if (typeof value !== 'string' || !value.startsWith('=')) return value;
		return workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials() {
		throw new Error('not used by the harness');
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}
}

module.exports = { TestCredentialsHelper };
