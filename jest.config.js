// Two jest projects, in plain JavaScript:
// - node: the package itself (built into dist/, what n8n loads) in n8n's engine against the fal emulator, and the
//   package's tooling: `npm test` runs only this project (`jest --selectProjects node`).
// - conformance: the fal emulator against fal's own JS client (test/conformance/): `npm run test:conformance`.
// CI (.ci/run) runs both. `npx jest test/x.test.js` runs one file of either project.
const ignored = ['<rootDir>/.n8n-runtime', '<rootDir>/.n8n-dev', '<rootDir>/scripts', '<rootDir>/.tmp'];

module.exports = {
	testTimeout: 60000,
	projects: [
		{
			displayName: 'node',
			testEnvironment: 'node',
			roots: ['<rootDir>/test'],
			testMatch: ['<rootDir>/test/**/*.test.js'],
			testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/conformance/'],
			modulePathIgnorePatterns: ignored,
		},
		{
			displayName: 'conformance',
			testEnvironment: 'node',
			roots: ['<rootDir>/test/conformance'],
			testMatch: ['<rootDir>/test/conformance/**/*.test.js'],
			modulePathIgnorePatterns: ignored,
		},
	],
};
