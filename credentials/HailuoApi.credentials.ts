import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { FAL_STORAGE_ORIGIN, falAuthorization, KEY_CHECK } from '../fal/account';

export class HailuoApi implements ICredentialType {
	name = 'hailuoApi';

	displayName = 'Hailuo (fal.ai) API';

	icon: Icon = { light: 'file:../icons/hailuo.svg', dark: 'file:../icons/hailuo.dark.svg' };

	documentationUrl = 'https://fal.ai/dashboard/keys';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Your fal.ai API key (fal.ai dashboard → Keys). A key pasted with a leading "Key " or "Bearer " works too.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:8790',
			description:
				"Leave empty to use fal.ai. Set it to reach a fal-compatible proxy or a local emulator: it replaces the origin of every fal host (queue, storage, API), paths unchanged.",
		},
	];

	// fal expects "Authorization: Key <key>" (falAuthorization builds it, for the unabortable requests too).
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return { ...requestOptions, headers: { ...requestOptions.headers, Authorization: falAuthorization(credentials.apiKey) } };
	}

	// See KEY_CHECK: any valid key passes (fal's default API scope as well as ADMIN), a wrong one gets 401,
	// and nothing is paid for or stored.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ $credentials.baseUrl ? String($credentials.baseUrl).trim().replace(/\\/+$/, "") : "${FAL_STORAGE_ORIGIN}" }}`,
			...KEY_CHECK,
		},
	};
}
