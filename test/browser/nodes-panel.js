// @ts-check
'use strict';

/**
 * The browser test's part for issue 13: a person finds the node in n8n's nodes panel, adds it to a new workflow,
 * configures and runs it, finds its tool variant from an AI Agent, and sees the package in Settings → Community Nodes.
 * Called by test/browser/browser.js with the page it drives; each step is one named check.
 */

const fs = require('node:fs');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');
const { EMULATOR_CREDENTIAL } = require('../../scripts/lib/fal-emulator');
const { assert, check } = require('../../scripts/lib/checks');

/** What a person types into the nodes panel to find the node (the codex's aliases cover them: test/codex.test.js). */
const SEARCH_TERMS = ['Hailuo', 'hailuo video', 'fal', 'video', 'image to video'];
const DISPLAY_NAME = 'Hailuo Video (fal.ai)';
const TOOL_DISPLAY_NAME = `${DISPLAY_NAME} Tool`;
const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';
const AGENT = '@n8n/n8n-nodes-langchain.agent';
const TOOL_TYPE = `${n8n.NODE_TYPE}Tool`;
/**
 * The panel offers a node's operations as actions, by their `action` text; the Generate one as the build words it.
 * @returns {string}
 */
function generateAction() {
  const { Hailuo } = require(path.join(n8n.ROOT, 'dist', 'nodes', 'Hailuo', 'Hailuo.node.js'));
  const operation = new Hailuo().description.properties.find((/** @type {any} */ p) => p.name === 'operation');
  const generate = operation?.options?.find((/** @type {any} */ o) => o.value === 'generate');
  assert(typeof generate?.action === 'string', 'the built node has no Generate operation with an action text');
  return generate.action;
}
const PROMPT = 'A slow dolly-in while soft light moves across the scene';

/**
 * The words the panel may show under the entry's name: n8n lists the node and its trigger as one entry (the node's
 * name and icon) with the trigger's description (1.123 and 2.41: the node creator's generateMergedNodesAndActions),
 * so both descriptions must say what the package does.
 * @returns {string[]}
 */
function builtDescriptions() {
  const { Hailuo } = require(path.join(n8n.ROOT, 'dist', 'nodes', 'Hailuo', 'Hailuo.node.js'));
  const { HailuoTrigger } = require(path.join(n8n.ROOT, 'dist', 'nodes', 'HailuoTrigger', 'HailuoTrigger.node.js'));
  return [new Hailuo().description.description, new HailuoTrigger().description.description];
}
const MAKES_VIDEOS = /^Make videos with MiniMax (H3 and )?Hailuo\b/;
/** n8n 1.x shows no description under a search result of the panel's first list (NodeItem: subcategory "*"). */
const SEARCH_SHOWS_DESCRIPTION = n8n.DEFAULT_RUNTIME.major >= 2;

/**
 * @param {{
 *   page: import('playwright-core').Page,
 *   ctx: import('playwright-core').BrowserContext,
 *   base: string,
 *   emulatorOrigin: string,
 *   imageUrl: string,
 *   docs: string,
 * }} o
 */
async function nodesPanelChecks({ page, ctx, base, emulatorOrigin, imageUrl, docs }) {
  const version = JSON.parse(fs.readFileSync(path.join(n8n.ROOT, 'package.json'), 'utf8')).version;
  const creator = page.locator('[data-test-id="node-creator"]');
  const search = creator.locator('[data-test-id="node-creator-search-bar"]');
  const header = creator.locator('[data-test-id="nodes-list-header"]');
  const ndv = page.locator('[data-test-id="ndv"]');
  /** A panel entry by node type (its keyboard-navigation id is `<type>-<uuid>`). @param {string} type */
  const entry = (type) => creator.locator(`[data-test-id="item-iterator-item"][data-keyboard-nav-id^="${type}-"]`);
  /** A panel entry by the name it shows (categories, actions). @param {string} name */
  const named = (name) =>
    creator.locator('[data-test-id="item-iterator-item"]').filter({
      has: page.locator('[data-test-id="node-creator-item-name"]').getByText(name, { exact: true }),
    });
  const canvasNodeOfType = (/** @type {string} */ type) =>
    page.locator(`[data-test-id="canvas-node"][data-node-type="${type}"]`);
  const closeNdv = async () => {
    await ndv.locator('[data-test-id="ndv-close-button"]').click();
    await ndv.waitFor({ state: 'hidden' });
  };
  const emulatorStats = async () => await (await fetch(`${emulatorOrigin}/_emulator/stats`)).json();
  /** Closes the nodes panel (Escape does not close it while a search finds nothing: clear the search first). */
  const closeCreator = async () => {
    for (let i = 0; i < 3 && (await creator.isVisible()); i++) {
      if (await search.isVisible()) await search.fill('');
      await page.keyboard.press('Escape');
      await creator.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => {});
    }
    assert(!(await creator.isVisible()), 'the nodes panel does not close');
  };
  /** The words under the entry's name say what the package does. @param {import('playwright-core').Locator} item */
  const saysItMakesVideos = async (item) => {
    const words = await item.locator('[data-test-id="node-creator-item-description"]').innerText({ timeout: 5_000 });
    assert(MAKES_VIDEOS.test(words), `the entry's description does not say it makes videos: "${words}"`);
    assert(builtDescriptions().includes(words), `the entry's description is neither the node's nor the trigger's: "${words}"`);
  };
  const trigger = canvasNodeOfType(MANUAL_TRIGGER);
  /** Opens the nodes panel from the Manual Trigger's + handle ("What happens next?"). */
  const openFromTrigger = async () => {
    await closeCreator();
    await trigger.locator('[data-test-id="canvas-handle-plus"]').click();
    await header.getByText('What happens next?').waitFor();
  };

  const triggerOk = await check('a new workflow gets a Manual Trigger from the nodes panel', async () => {
    await page.goto(`${base}/workflow/new`);
    await page.locator('[data-test-id="canvas-add-button"]').click();
    await search.fill('manual');
    await entry(MANUAL_TRIGGER).click();
    await trigger.waitFor({ state: 'visible' });
    if (await ndv.isVisible()) await closeNdv();
  });

  await check('browsing from the trigger\'s + handle: AI → Other AI Nodes → Miscellaneous lists the node, "Make videos with …"', async () => {
    assert(triggerOk, 'no Manual Trigger on the canvas');
    await openFromTrigger();
    for (const category of ['AI', 'Other AI Nodes', 'Miscellaneous']) {
      await page.waitForTimeout(300); // the panel slides the next list in
      await named(category).click();
    }
    await header.getByText('Miscellaneous').waitFor();
    await entry(n8n.NODE_TYPE).waitFor({ state: 'visible' });
    const name = await entry(n8n.NODE_TYPE).locator('[data-test-id="node-creator-item-name"]').innerText();
    assert(name === DISPLAY_NAME, `the entry says "${name}"`);
    await saysItMakesVideos(entry(n8n.NODE_TYPE));
  });

  let searchOk = triggerOk;
  for (const term of SEARCH_TERMS) {
    searchOk =
      (await check(`searching "${term}" in the nodes panel (from the trigger's + handle) shows "${DISPLAY_NAME}", "Make videos with …"`, async () => {
        assert(triggerOk, 'no Manual Trigger on the canvas');
        await openFromTrigger();
        await search.fill(term);
        const found = entry(n8n.NODE_TYPE);
        await found.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
          const shown = await creator.locator('[data-test-id="node-creator-item-name"]').allInnerTexts();
          throw new Error(`not listed; the panel shows: ${shown.join(', ') || 'nothing'}`);
        });
        const name = await found.locator('[data-test-id="node-creator-item-name"]').innerText();
        assert(name === DISPLAY_NAME, `the entry says "${name}"`);
        if (SEARCH_SHOWS_DESCRIPTION) await saysItMakesVideos(found);
        if (term === 'Hailuo') await page.screenshot({ path: path.join(docs, 'nodes-panel-search.png') });
      })) && searchOk;
  }

  let hailuoName = '';
  const addedOk =
    searchOk &&
    (await check('clicking it adds the node connected to the trigger, with the default parameters', async () => {
      await openFromTrigger();
      await search.fill('Hailuo');
      await entry(n8n.NODE_TYPE).click();
      // A community node shows its details (package, version, actions); the Generate action adds it.
      await named(generateAction()).click();
      const node = canvasNodeOfType(n8n.NODE_TYPE);
      await node.waitFor({ state: 'visible' });
      hailuoName = String(await node.getAttribute('data-node-name'));
      const triggerName = String(await trigger.getAttribute('data-node-name'));
      const edge = page.locator(
        `[data-test-id="edge"][data-source-node-name="${triggerName}"][data-target-node-name="${hailuoName}"]`,
      );
      assert((await edge.count()) === 1, `no connection ${triggerName} → ${hailuoName}`);
      await ndv.waitFor({ state: 'visible' });
      const params = ndv.locator('[data-test-id="node-parameters"]');
      const value = async (/** @type {string} */ name, /** @type {string} */ sel = 'input') =>
        await params.locator(`[data-test-id="parameter-input-${name}"] ${sel}`).first().inputValue();
      const defaults = {
        prompt: await value('prompt', 'textarea'),
        imageSource: await value('imageSource'),
        imageUrl: await value('imageUrl'),
        duration: await value('duration'),
        promptOptimizer: await params
          .locator('[data-test-id="parameter-input-promptOptimizer"] [role="switch"]')
          .getAttribute('aria-checked'),
      };
      const expected = { prompt: '', imageSource: 'Image URL', imageUrl: '', promptOptimizer: 'true' };
      for (const [k, v] of Object.entries(expected)) {
        assert(defaults[/** @type {keyof typeof defaults} */ (k)] === v, `defaults: ${JSON.stringify(defaults)}`);
      }
      assert(/^6 Seconds/.test(defaults.duration), `defaults: ${JSON.stringify(defaults)}`);
    }));

  const configuredOk =
    addedOk &&
    (await check('the credential "Hailuo (fal emulator)", a prompt and an image URL are set in the node', async () => {
      const select = ndv.locator('[data-test-id="node-credentials-select"]');
      await select.click();
      const option = page.locator(`[data-test-id="node-credentials-select-item-${EMULATOR_CREDENTIAL.id}"]`);
      await option.click();
      await option.waitFor({ state: 'hidden' });
      const chosen = await select.locator('input').inputValue();
      assert(chosen === EMULATOR_CREDENTIAL.name, `credential field shows "${chosen}"`);
      const params = ndv.locator('[data-test-id="node-parameters"]');
      await params.locator('[data-test-id="parameter-input-prompt"] textarea').fill(PROMPT);
      await params.locator('[data-test-id="parameter-input-imageUrl"] input').fill(imageUrl);
      const shown = await params.locator('[data-test-id="parameter-input-imageUrl"] input').inputValue();
      assert(shown === imageUrl, `Image URL shows ${shown.slice(0, 80)}…`);
      await closeNdv();
    }));

  await check('"Execute workflow" on the canvas runs it; the output\'s Binary tab shows the MP4', async () => {
    assert(configuredOk, 'the node was not added and configured');
    const before = await emulatorStats();
    await page.locator('[data-test-id="execute-workflow-button"]').click();
    const node = canvasNodeOfType(n8n.NODE_TYPE);
    await node.locator('[data-test-id="canvas-node-status-success"]').waitFor({ state: 'visible', timeout: 90_000 });
    const stats = await emulatorStats();
    assert(stats.submits === before.submits + 1, `the emulator saw ${stats.submits - before.submits} submits`);
    assert(stats.downloads > before.downloads, 'the video was never downloaded from the emulator');
    await node.dblclick();
    await ndv.waitFor({ state: 'visible' });
    const output = ndv.locator('[data-test-id="output-panel"]');
    await output.locator('[data-test-id="radio-button-binary"]').click();
    const card = output.locator('[data-test-id="ndv-binary-data_0"]');
    await card.waitFor({ state: 'visible' });
    const text = await card.innerText();
    assert(/video\/mp4/.test(text) && /hailuo-[\w-]+\.mp4/.test(text), `binary card: ${text}`);
    await closeNdv();
  });

  await check(`an AI Agent's Tool connector offers "${TOOL_DISPLAY_NAME}" (search "Hailuo") and attaches it`, async () => {
    assert(triggerOk, 'no workflow to add the agent to');
    await closeCreator();
    if (await ndv.isVisible()) await closeNdv();
    await page.locator('[data-test-id="node-creator-plus-button"]').click();
    await search.fill('AI Agent');
    await entry(AGENT).click();
    const agent = canvasNodeOfType(AGENT);
    await agent.waitFor({ state: 'visible' });
    if (await ndv.isVisible()) await closeNdv();
    await agent.locator('[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"] [data-test-id="canvas-handle-plus"]').click();
    await header.getByText('Tools').waitFor();
    await search.fill('Hailuo');
    const tool = entry(TOOL_TYPE);
    await tool.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
      const shown = await creator.locator('[data-test-id="node-creator-item-name"]').allInnerTexts();
      throw new Error(`no Hailuo tool; the Tools panel shows: ${shown.join(', ') || 'nothing'}`);
    });
    const name = await tool.locator('[data-test-id="node-creator-item-name"]').innerText();
    assert(name === TOOL_DISPLAY_NAME, `the tool entry says "${name}"`);
    await page.screenshot({ path: path.join(docs, 'agent-tool-search.png') });
    await tool.click();
    const added = canvasNodeOfType(TOOL_TYPE);
    await added.waitFor({ state: 'visible' });
    const toolName = String(await added.getAttribute('data-node-name'));
    const agentName = String(await agent.getAttribute('data-node-name'));
    const edge = page.locator(`[data-test-id="edge"][data-source-node-name="${toolName}"][data-target-node-name="${agentName}"]`);
    assert((await edge.count()) === 1, `the tool is not connected to ${agentName}`);
    if (await ndv.isVisible()) await closeNdv();
  });

  await check(`Settings → Community Nodes lists ${n8n.PACKAGE_NAME} v${version} with its two nodes`, async () => {
    const answer = await ctx.request.get(`${base}/rest/community-packages`);
    assert(answer.ok(), `/rest/community-packages answered HTTP ${answer.status()}`);
    const ours = (await answer.json()).data.find((/** @type {any} */ p) => p.packageName === n8n.PACKAGE_NAME);
    assert(ours, `n8n has no record of ${n8n.PACKAGE_NAME}`);
    assert(ours.installedVersion === version, `recorded version ${ours.installedVersion}`);
    assert(ours.failedLoading === false, 'n8n says the package failed to load');
    const types = ours.installedNodes.map((/** @type {any} */ n) => n.type);
    const expected = [n8n.NODE_TYPE, `${n8n.PACKAGE_NAME}.hailuoTrigger`].sort();
    assert(JSON.stringify([...types].sort()) === JSON.stringify(expected), `recorded nodes ${JSON.stringify(types)}`);
    await page.goto(`${base}/settings/community-nodes`);
    const card = page.locator('[data-test-id="community-package-card"]').filter({ hasText: n8n.PACKAGE_NAME });
    await card.waitFor({ state: 'visible' });
    const text = await card.innerText();
    assert(text.includes(`v${version}`) && text.includes(DISPLAY_NAME), `the card says: ${text}`);
    await page.screenshot({ path: path.join(docs, 'community-nodes-settings.png') });
  });
}

module.exports = { nodesPanelChecks, SEARCH_TERMS };
