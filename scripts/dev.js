#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * `npm run dev [-- --emulator] [-- --port 5678]`
 *
 * Builds the package, installs the pinned n8n (cached), installs the package into the git-ignored user folder
 * .n8n-dev/ exactly as n8n's Settings → Community Nodes would (from `npm pack` output, recorded in n8n's database so
 * that Settings → Community Nodes lists it), imports a Hailuo credential and the example workflows, then starts real
 * n8n on SQLite and prints the editor URL and what to do next. Ctrl-C stops everything.
 *
 * Which fal: without FAL_KEY in the environment (a fresh clone), the local fal emulator, with the credential
 * "Hailuo (fal emulator)": nothing to set up, nothing billed. With FAL_KEY, fal.ai itself, with the credential
 * "Hailuo (fal.ai)" holding that key. The key is handed to `n8n import:credentials` through a named pipe, so it is
 * stored only in n8n's encrypted credential store: never in a file, on a command line, in a child's environment or
 * in the output. The examples are imported pointing at whichever credential was imported. `--emulator` forces the
 * emulator even when FAL_KEY is set.
 *
 * Runs on Node 24 (npm scripts put node_modules/.bin, the `node` devDependency, first on PATH).
 */

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const n8n = require('./lib/n8n');
const { startEmulator, emulatorCredential, emulatorCredentialWords, EMULATOR_CREDENTIAL } = require('./lib/fal-emulator');
const { loadExamples } = require('./lib/examples');
const { packAndInstall } = require('./lib/community-package');
const { runtimeOf } = require('./lib/runtime');

// Read once, then removed from this process's environment, so that neither n8n nor the emulator inherits it.
const FAL_KEY = String(process.env.FAL_KEY || '').trim();
delete process.env.FAL_KEY;

/** The credential `npm run dev` imports when FAL_KEY is set (the examples then use it). */
const FAL_CREDENTIAL = { id: 'hailuoFalAi00001', name: 'Hailuo (fal.ai)' };

function usage() {
  process.stdout.write(`Usage: [FAL_KEY=<your fal key>] npm run dev [-- --emulator] [-- --port N] [-- --no-build]

  Without FAL_KEY: the local fal emulator and the credential "Hailuo (fal emulator)" (free, no account needed).
  With FAL_KEY:    fal.ai itself and the credential "Hailuo (fal.ai)" with that key (videos are billed by fal).
  The example workflows are imported with whichever credential that is.

  --emulator        use the local fal emulator even when FAL_KEY is set
  --port N          editor port (default 5678, or N8N_PORT)
  --emulator-port N emulator port (default 8790)
  --no-build        skip \`npm run build\` (use dist/ as it is)
  --fresh           delete the user folder first (a new owner account; examples imported again)
  --user-folder DIR n8n's user folder (default .n8n-dev/)
`);
}

/** @param {string[]} argv */
function parseArgs(argv) {
  const o = {
    emulator: false,
    port: Number(process.env.N8N_PORT) || 5678,
    emulatorPort: 8790,
    build: true,
    fresh: false,
    userFolder: path.join(n8n.ROOT, '.n8n-dev'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--emulator') o.emulator = true;
    else if (a === '--port') o.port = Number(argv[++i]);
    else if (a === '--emulator-port') o.emulatorPort = Number(argv[++i]);
    else if (a === '--no-build') o.build = false;
    else if (a === '--fresh') o.fresh = true;
    else if (a === '--user-folder') o.userFolder = path.resolve(argv[++i]);
    else if (a === '--help' || a === '-h') {
      usage();
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument: ${a}\n`);
      usage();
      process.exit(2);
    }
  }
  return o;
}

/** @param {number} port */
async function portIsFree(port) {
  const net = require('node:net');
  return await new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** @type {{ stop: () => Promise<void>, origin: string } | undefined} */
let emulator;
/** @type {{ stop: () => Promise<void>, url: string, child: import('node:child_process').ChildProcess } | undefined} */
let server;
let stopping = false;
/** Stops n8n and the emulator, then exits. @param {number} code */
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  n8n.log('stopping');
  await Promise.allSettled([server?.stop(), emulator?.stop()]);
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/**
 * The example workflows with every Hailuo node pointing at `credential`. For the emulator, fal's public sample image
 * is replaced by the emulator's own (no internet needed); fal.ai reads the public one.
 * @param {{ id: string, name: string }} credential @param {string} [emulatorOrigin]
 */
function examplesFor(credential, emulatorOrigin, editorUrl) {
  return loadExamples(emulatorOrigin).map(({ workflow }) => {
    for (const node of workflow.nodes) {
      if (node.credentials && node.credentials.hailuoApi) node.credentials.hailuoApi = { id: credential.id, name: credential.name };
    }
    // example 6a sends its jobs to example 6b's Hailuo Trigger on this n8n
    return JSON.parse(JSON.stringify(workflow).split('http://localhost:5678').join(editorUrl));
  });
}

/** The workflows that listen from the start: example 6b's Hailuo Trigger. */
const LISTENING_EXAMPLES = ['hailuoExample06b'];

/** What the emulator's sample image host serves (for Image URL), in the banner. @param {string} origin */
function sampleImages(origin) {
  return [
    `  Sample first frames on the emulator (for Image URL): ${origin}/_samples/frame.jpg (512×768 JPEG), …/frame.png;`,
    '    any size: …/_samples/png/1280x720.png, …/jpeg/720x1280.jpg, …/webp/768x1344.webp;',
    '    refused before paying: …/png/100x100.png (too small), …/jpeg/2000x300.jpg (ratio), …/gif/640x480.gif (GIF),',
    '    …/truncated.png, …/big/21.png (over 20 MB), and a 404: …/_samples/nothing.png. More: test/emulator/README.md.',
  ];
}

/** The n8n version in the runtime folder. */
function n8nVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(n8n.RUNTIME, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const useEmulator = opts.emulator || FAL_KEY === '';
  const userFolder = opts.userFolder;
  const shown = path.relative(n8n.ROOT, userFolder) || userFolder;
  if (opts.fresh) fs.rmSync(userFolder, { recursive: true, force: true });
  fs.mkdirSync(userFolder, { recursive: true });

  if (!(await portIsFree(opts.port))) throw new Error(`port ${opts.port} is taken: use --port N`);

  const scratch = path.join(userFolder, 'tmp');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  if (!fs.existsSync(path.join(n8n.RUNTIME, '.installed'))) {
    n8n.log(`first run: building the package, then installing n8n ${n8n.DEFAULT_RUNTIME.version} into ${path.relative(n8n.ROOT, n8n.RUNTIME)}/,`);
    n8n.log('  once (about 5 minutes; later runs start in about a minute); it says how far it is as it goes');
  }
  const { tarball, pkgDir, filesDir, record } = packAndInstall({ userFolder, scratch, build: opts.build });
  n8n.log(`installed ${path.basename(tarball)} into ${path.relative(n8n.ROOT, pkgDir)}`);
  n8n.log(`recorded ${record.packageName} ${record.installedVersion} in n8n's installed packages (Settings → Community Nodes)`);

  const brokerPort = await n8n.freePort();
  const env = n8n.n8nEnv({ userFolder, port: opts.port, brokerPort });

  /** @type {{ id: string, name: string }} */
  let credential;
  if (useEmulator) {
    const emuPort = (await portIsFree(opts.emulatorPort)) ? opts.emulatorPort : await n8n.freePort();
    // A job waits a little in the queue and in progress, as on fal, so the editor shows it running.
    emulator = await startEmulator({
      port: emuPort,
      logFile: path.join(userFolder, 'emulator.log'),
      args: ['--queue-ms', '1000', '--progress-ms', '3000'],
    });
    n8n.log(`fal emulator on ${emulator.origin} (log: ${shown}/emulator.log)`);
    await n8n.importCredentials([emulatorCredential(emulator.origin)], env, scratch);
    credential = EMULATOR_CREDENTIAL;
    n8n.log(`credential "${credential.name}" → ${emulator.origin}`);
  } else {
    await n8n.importSecretCredentials([{ ...FAL_CREDENTIAL, type: 'hailuoApi', data: { apiKey: FAL_KEY } }], env);
    credential = FAL_CREDENTIAL;
    n8n.log(`credential "${credential.name}" with the key from FAL_KEY (stored encrypted by n8n, nowhere else)`);
  }

  // The examples are imported again only when they changed (or the credential did), so edits made in the editor
  // survive a restart.
  const examples = examplesFor(credential, emulator?.origin, `http://127.0.0.1:${opts.port}`);
  const hash = crypto.createHash('sha256').update(JSON.stringify(examples)).digest('hex');
  const stamp = path.join(userFolder, '.examples-imported');
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== hash) {
    await n8n.importWorkflows(examples, env, scratch);
    for (const id of LISTENING_EXAMPLES) await n8n.runN8nOk(runtimeOf(env).activateArgs(id), env);
    fs.writeFileSync(stamp, hash);
    n8n.log(`imported ${examples.length} example workflows from examples/, using "${credential.name}"; ${LISTENING_EXAMPLES.length} published (example 6b's Hailuo Trigger listens)`);
  }

  n8n.log('starting n8n (first start migrates the database: ~20 s)');
  server = await n8n.startN8n(env, { inherit: 'filtered' });
  server.child.on('exit', (code) => {
    if (!stopping) {
      n8n.log(`n8n exited (${code})`);
      void stopAll(code || 1);
    }
  });

  const first = examples[0]?.name ?? 'Hailuo example 1';
  const lines = [
    '',
    `  n8n ${n8nVersion()} with n8n-nodes-hailuo (from npm pack) is running at ${server.url}`,
    '',
  ];
  if (emulator) {
    lines.push(
      `  *** FAL EMULATOR ***  Videos come from the local fal emulator at ${emulator.origin}, not from fal.ai:`,
      `  a 3 s test pattern, free, no fal account needed. Credential: "${credential.name}", made for you with`,
      ...emulatorCredentialWords(emulator.origin),
      FAL_KEY
        ? '  (FAL_KEY is set but --emulator was given: the key is not used.)'
        : '  To use fal.ai itself: FAL_KEY=<your fal key> npm run dev (the key goes only into n8n\'s encrypted store).',
      '  A prompt containing [emulator:fail] makes a generation fail.',
      ...sampleImages(emulator.origin),
    );
  } else {
    lines.push(
      `  *** FAL.AI ***  Videos are made and billed by fal.ai with the key from FAL_KEY (credential "${credential.name}",`,
      '  stored encrypted by n8n, nowhere else). One 6 s video with the default model: USD 0.28.',
      '  Example 4 needs fal to reach this n8n (a public WEBHOOK_URL). `npm run dev -- --emulator` runs for free.',
    );
  }
  lines.push(
    '',
    '  What to do now:',
    `    1. Open ${server.url}`,
    '    2. Create the owner account (first visit only; it stays on this machine)',
    `    3. Open the workflow "${first}"`,
    `    4. Click "Execute workflow": the MP4 appears in the Hailuo node's output and in ${path.relative(n8n.ROOT, filesDir) || filesDir}/`,
    '',
    `  User folder: ${shown}/ (SQLite; --fresh starts over). Ctrl-C stops everything.`,
    '',
  );
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`[dev] ${e instanceof Error ? e.message : String(e)}\n`);
  void stopAll(1);
});
