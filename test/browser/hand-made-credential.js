// @ts-check
'use strict';

/**
 * The browser test's part for issue 32: a person makes the credential by hand from the words `npm run dev` prints
 * (scripts/lib/fal-emulator.js, emulatorCredentialWords): Create credential → the type it names → its API Key and
 * Base URL → Save. n8n tests a credential on Save: it passes; with a wrong key it fails, and says so.
 */

const path = require('node:path');
const { emulatorCredentialWords } = require('../../scripts/lib/fal-emulator');
const { assert, check } = require('../../scripts/lib/checks');

/**
 * What the banner says, read back from its words (so that the check follows exactly what a person reads).
 * @param {string} emulatorOrigin
 */
function bannerWords(emulatorOrigin) {
  const text = emulatorCredentialWords(emulatorOrigin).join('\n');
  const given = text.match(/API Key: (\S+) +Base URL: (\S+)/);
  const how = text.match(/(Create credential) → "([^"]+)" → that API Key and Base URL → (Save)/);
  assert(given && how, `the banner's words are not of the expected form:\n${text}`);
  return { apiKey: given[1], baseUrl: given[2], button: how[1], type: how[2], save: how[3] };
}

/**
 * @param {{ page: import('playwright-core').Page, base: string, emulatorOrigin: string, docs: string }} o
 */
async function handMadeCredentialChecks({ page, base, emulatorOrigin, docs }) {
  const words = bannerWords(emulatorOrigin);
  const modal = page.locator('[data-test-id="editCredential-modal"]');
  const field = (/** @type {string} */ name) => modal.locator(`[data-test-id="parameter-input-${name}"] input`);
  const save = modal.locator('[data-test-id="credential-save-button"]');
  // n8n tests a credential when it is saved and shows the outcome above its fields
  const outcome = async (/** @type {RegExp} */ expected) => {
    await modal.getByText(expected).first().waitFor({ state: 'visible', timeout: 20_000 }).catch(() => {});
    const text = (await modal.locator('[data-test-id="node-credentials-config-container"]').innerText()).replace(/\s+/g, ' ');
    assert(expected.test(text), `n8n's test of the credential says: ${text.slice(0, 400)}`);
    return text;
  };

  const madeOk = await check(`a credential made by hand from dev's banner (${words.button} → "${words.type}" → API Key, Base URL → ${words.save}) passes n8n's test`, async () => {
    await page.goto(`${base}/home/credentials`);
    await page.getByRole('button', { name: words.button }).first().click();
    await page.locator('[data-test-id="new-credential-type-select"]').click();
    await page.keyboard.type(words.type);
    await page.locator('.el-select-dropdown__item').filter({ hasText: words.type }).first().click();
    await page.locator('[data-test-id="new-credential-type-button"]').click();
    await modal.waitFor({ state: 'visible' });
    await field('apiKey').fill(words.apiKey);
    await field('baseUrl').fill(words.baseUrl);
    await save.click();
    await outcome(/Connection tested successfully/);
    await page.screenshot({ path: path.join(docs, 'credential-by-hand.png') });
  });

  await check('the same credential with a wrong API key fails n8n\'s test, which says so', async () => {
    assert(madeOk, 'the credential was not made');
    await field('apiKey').fill('not-the-emulator-key');
    await save.click();
    await outcome(/Couldn.t connect with these settings/);
    await modal.getByText('More details').first().click();
    await modal.getByText(/Unauthorized/).first().waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {});
    const text = (await modal.locator('[data-test-id="node-credentials-config-container"]').innerText()).replace(/\s+/g, ' ');
    assert(/Unauthorized|401/.test(text), `n8n's test with a wrong key does not say the key was refused: ${text.slice(0, 400)}`);
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  });
}

module.exports = { handMadeCredentialChecks };
