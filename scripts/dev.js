#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * `npm run dev [-- --emulator] [-- --port 5678]`
 *
 * Builds the package, installs the pinned n8n (cached), installs the package into the git-ignored user folder
 * .n8n-dev/ exactly as n8n's Settings → Community Nodes would (from `npm pack` output, recorded in n8n's database so
 * that Settings → Community Nodes lists it), then starts real n8n on
 * SQLite and prints the editor URL. With --emulator it also starts the local fal emulator, imports a credential
 * "Hailuo (fal emulator)" pointing at it, and the example workflows. Ctrl-C stops everything.
 *
 * Runs on Node 24 (npm scripts put node_modules/.bin, the `node` devDependency, first on PATH).
 */

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const n8n = require('./lib/n8n');

function usage() {
  process.stdout.write(`Usage: npm run dev [-- --emulator] [-- --port N] [-- --no-build]

  --emulator        also start the local fal emulator, import the credential "Hailuo (fal emulator)" and the
                    example workflows (videos then come from the emulator, never from fal.ai)
  --port N          editor port (default 5678, or N8N_PORT)
  --emulator-port N emulator port (default 8790)
  --no-build        skip \`npm run build\` (use dist/ as it is)
  --fresh           delete .n8n-dev/ first (a new owner account, no workflows)
`);
}

/** @param {string[]} argv */
function parseArgs(argv) {
  const o = { emulator: false, port: Number(process.env.N8N_PORT) || 5678, emulatorPort: 8790, build: true, fresh: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--emulator') o.emulator = true;
    else if (a === '--port') o.port = Number(argv[++i]);
    else if (a === '--emulator-port') o.emulatorPort = Number(argv[++i]);
    else if (a === '--no-build') o.build = false;
    else if (a === '--fresh') o.fresh = true;
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

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const userFolder = path.join(n8n.ROOT, '.n8n-dev');
  if (opts.fresh) fs.rmSync(userFolder, { recursive: true, force: true });
  fs.mkdirSync(userFolder, { recursive: true });

  if (!(await portIsFree(opts.port))) throw new Error(`port ${opts.port} is taken: use --port N`);

  const scratch = path.join(userFolder, 'tmp');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  const { tarball, pkgDir, filesDir, record } = n8n.packAndInstall({ userFolder, scratch, build: opts.build });
  n8n.log(`installed ${path.basename(tarball)} into ${path.relative(n8n.ROOT, pkgDir)}`);
  n8n.log(`recorded ${record.packageName} ${record.installedVersion} in n8n's installed packages (Settings → Community Nodes)`);

  const brokerPort = await n8n.freePort();
  const env = n8n.n8nEnv({ userFolder, port: opts.port, brokerPort });

  if (opts.emulator) {
    const emuPort = (await portIsFree(opts.emulatorPort)) ? opts.emulatorPort : await n8n.freePort();
    // A job waits a little in the queue and in progress, as on fal, so the editor shows it running.
    emulator = await n8n.startEmulator({
      port: emuPort,
      logFile: path.join(userFolder, 'emulator.log'),
      args: ['--queue-ms', '1000', '--progress-ms', '3000'],
    });
    n8n.log(`fal emulator on ${emulator.origin} (log: .n8n-dev/emulator.log)`);
    await n8n.importCredentials([n8n.emulatorCredential(emulator.origin)], env, scratch);
    n8n.log(`credential "${n8n.EMULATOR_CREDENTIAL.name}" → ${emulator.origin}`);
    // The examples are imported again only when they changed, so edits made in the editor survive a restart.
    const examples = n8n.loadExamples(emulator.origin);
    const hash = crypto.createHash('sha256').update(JSON.stringify(examples.map((e) => e.workflow))).digest('hex');
    const stamp = path.join(userFolder, '.examples-imported');
    if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== hash) {
      await n8n.importWorkflows(
        examples.map((e) => e.workflow),
        env,
        scratch,
      );
      fs.writeFileSync(stamp, hash);
      n8n.log(`imported ${examples.length} example workflows from examples/`);
    }
  }

  n8n.log('starting n8n (first start migrates the database: ~20 s)');
  server = await n8n.startN8n(env, { inherit: true });
  server.child.on('exit', (code) => {
    if (!stopping) {
      n8n.log(`n8n exited (${code})`);
      void stopAll(code || 1);
    }
  });

  const lines = [
    '',
    '  n8n 2.41.1 with n8n-nodes-hailuo (from npm pack) is running.',
    `  Editor:       ${server.url}`,
    `  User folder:  ${path.relative(n8n.ROOT, userFolder)}/ (SQLite; delete it or use --fresh for a clean start)`,
    `  Files:        ${path.relative(n8n.ROOT, filesDir)}/ (the examples read and write .n8n-files/hailuo/...)`,
  ];
  if (emulator) {
    lines.push(
      '',
      `  FAL EMULATOR: videos come from the local fal emulator at ${emulator.origin}, not from fal.ai,`,
      `  and cost nothing. Use the credential "${n8n.EMULATOR_CREDENTIAL.name}"; the example workflows use it.`,
      '  A prompt containing [emulator:fail] makes a generation fail.',
    );
  } else {
    lines.push('', '  Add a "Hailuo (fal.ai) API" credential with your fal key (real fal.ai: generations cost money).');
    lines.push('  `npm run dev -- --emulator` runs against the local fal emulator instead.');
  }
  lines.push('', '  On first visit the editor asks you to create the owner account. Ctrl-C stops everything.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`[dev] ${e instanceof Error ? e.message : String(e)}\n`);
  void stopAll(1);
});
