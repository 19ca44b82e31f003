// @ts-check
'use strict';

/**
 * collect-later (issue 16): examples 05a/05b, a batch submitted and recorded in a Data Table (created over REST, as
 * the editor creates it), collected later with Get Status / Get Result; a second collecting run fetches nothing.
 */

const fs = require('node:fs');
const path = require('node:path');
const n8n = require('../../../scripts/lib/n8n');
const { assert, check } = require('../../../scripts/lib/checks');
const { nodeItems, execError, assertVideoItem, until } = require('./helpers');

/** @param {any} ctx */
async function run({ rest, emu: { main: emu }, userFolder, example }) {
  const example5a = example('hailuoExample05a');
  const example5b = example('hailuoExample05b');
  await check('examples 05a/05b: a batch submitted and recorded in a Data Table, collected later with Get Status / Get Result', async () => {
    await emu.reset();
    const project = await rest.call('GET', '/rest/projects/personal');
    const table = await rest.call('POST', `/rest/projects/${project.id}/data-tables`, {
      name: 'hailuo_jobs',
      columns: ['requestId', 'shot', 'status'].map((name) => ({ name, type: 'string' })),
    });
    /** Saves an example as the editor saves a new workflow, with the table picked in its Data Table nodes. */
    const save = async (/** @type {any} */ example) => {
      const wf = JSON.parse(JSON.stringify(example));
      for (const node of wf.nodes) {
        if (node.type === 'n8n-nodes-base.dataTable') node.parameters.dataTableId = { __rl: true, mode: 'id', value: table.id };
      }
      const saved = await rest.call('POST', '/rest/workflows', {
        name: wf.name,
        nodes: wf.nodes,
        connections: wf.connections,
        settings: wf.settings,
        active: false,
      });
      return String(saved.id);
    };
    const submitId = await save(example5a);
    const collectId = await save(example5b);
    const rows = async () => (await rest.call('GET', `/rest/projects/${project.id}/data-tables/${table.id}/rows?take=100`)).data;

    const a = await rest.waitFor(await rest.run(submitId), ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(a.status === 'success', `05a ${a.status}: ${execError(a)}`);
    const submitted = nodeItems(a, 'Submit Videos');
    assert(submitted.length === 3 && submitted.every((it) => it.json.status === 'IN_QUEUE'), `Submit: ${JSON.stringify(submitted.map((i) => i.json))}`);
    const recorded = await rows();
    assert(recorded.length === 3 && recorded.every((/** @type {any} */ r) => r.status === 'submitted'), `rows: ${JSON.stringify(recorded)}`);

    // Collected once every job has ended (about 2.2 s on this emulator); a run before that collects nothing yet.
    await until(async () => (await emu.stats()).running === 0, 30_000, 'the three jobs to end');
    const b = await rest.waitFor(await rest.run(collectId), ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(b.status === 'success', `05b ${b.status}: ${execError(b)}`);
    const results = nodeItems(b, 'Get Result');
    assert(results.length === 3, `${results.length} results`);
    for (const item of results) {
      const held = await assertVideoItem(userFolder, item);
      const file = path.join(userFolder, n8n.FILES_DIR_NAME, 'hailuo', item.json.fileName);
      assert(fs.readFileSync(file).equals(held), `${file} differs from the video`);
    }
    const after = await rows();
    assert(after.every((/** @type {any} */ r) => r.status === 'collected'), `rows after collecting: ${JSON.stringify(after)}`);

    // A second collecting run finds nothing left to fetch.
    const downloads = (await emu.stats()).downloads;
    const c = await rest.waitFor(await rest.run(collectId), ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(c.status === 'success', `05b again: ${c.status}: ${execError(c)}`);
    assert(!c.data.resultData.runData['Get Result'], 'the second collecting run fetched results again');
    assert((await emu.stats()).downloads === downloads, 'the second collecting run downloaded again');
  });
}

module.exports = {
  name: 'collect-later',
  about: 'examples 05a/05b: submit a batch into a Data Table, collect it with Get Status / Get Result',
  run,
};
