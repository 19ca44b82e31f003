// @ts-check
'use strict';

/**
 * The example workflows of examples/ as the scripts import them, and the sample images they read. Built on ./n8n.js
 * (the folder n8n may read and write); used by `npm run dev`, the e2e and browser tests and ./community-package.js.
 */

const fs = require('node:fs');
const path = require('node:path');
const { ROOT, FILES_DIR_NAME } = require('./n8n');

/** The public first frame the examples use (fal's own sample input for this model). */
const FAL_SAMPLE_IMAGE = 'https://storage.googleapis.com/falserverless/example_inputs/hailuo23/standard_i2v_in.jpg';

/**
 * The example workflows in examples/, in file-name order. With an emulator's origin, fal's public sample image is
 * replaced by the emulator's own sample frame: there is no internet here, and the node reads the image before it
 * pays for a job (as fal's model reads it when the job runs).
 * @param {string} [emulatorOrigin] @returns {{ file: string, workflow: any }[]}
 */
function loadExamples(emulatorOrigin) {
  const dir = path.join(ROOT, 'examples');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      let text = fs.readFileSync(path.join(dir, f), 'utf8');
      if (emulatorOrigin) text = text.split(FAL_SAMPLE_IMAGE).join(`${emulatorOrigin}/_samples/frame.jpg`);
      return { file: path.join(dir, f), workflow: JSON.parse(text) };
    });
}

/**
 * Copies the fixture images where the examples read them (`.n8n-files/hailuo/` under the user folder).
 * @param {string} userFolder
 */
function prepareFilesDir(userFolder) {
  const dir = path.join(userFolder, FILES_DIR_NAME, 'hailuo');
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ['frame.png', 'frame.jpg']) {
    const src = path.join(ROOT, 'test', 'emulator', 'fixtures', name);
    if (fs.existsSync(src)) fs.copyFileSync(src, path.join(dir, name));
  }
  return dir;
}

module.exports = { FAL_SAMPLE_IMAGE, loadExamples, prepareFilesDir };
