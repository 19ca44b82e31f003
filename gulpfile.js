// Copies what tsc does not: the SVG icons and the node's codex file, into dist/ beside the compiled code.
const { src, dest, parallel } = require('gulp');

function copyIcons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

function copyNodeAssets() {
	return src(['nodes/**/*.svg', 'nodes/**/*.json'], { base: '.' }).pipe(dest('dist'));
}

exports['build:icons'] = parallel(copyIcons, copyNodeAssets);
