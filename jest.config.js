// Unit and engine tests: plain JavaScript against the built package in dist/ (what n8n loads).
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['<rootDir>/test/**/*.test.js'],
	modulePathIgnorePatterns: ['<rootDir>/.n8n-runtime', '<rootDir>/.n8n-dev', '<rootDir>/scripts', '<rootDir>/.tmp'],
	testTimeout: 60000,
};
