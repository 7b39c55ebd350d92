// Instant replay from the web UI: a real isrd keeps a ring of a generator source, the recorder
// card offers "Save last N s", the save goes through isr-web's POST /api/replay to isrd's
// control socket, and the saved file is linked and listed.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { eventually, launchBrowser, makeTempDir, openPage, removeTempDir, startIsrd, startIsrWeb } from './harness.mjs';

describe('instant replay from the UI', () => {
    let dir;
    let recordings;
    let socket;
    let isrd;
    let server;
    let browser;
    let page;

    before(async () => {
        dir = makeTempDir();
        recordings = path.join(dir, 'rec');
        socket = path.join(dir, 'isrd.sock');
        isrd = await startIsrd(`[general]
output_directory = ${recordings}
control_socket = ${socket}
filename_pattern = {source}/%Y/%m/%d/{source}_%H%M%S
log_file =

[garden]
type = generator
format = flac
channels = 1
sample_rate = 16000
replay_seconds = 20

[radio]
type = generator
format = wav
channels = 1
sample_rate = 8000
`, dir, recordings);
        server = await startIsrWeb(recordings, ['--control-socket', socket]);
        browser = await launchBrowser();
        page = await openPage(browser, `${server.url}/?poll=1`);
    });

    after(async () => {
        await browser?.close();
        await server?.stop();
        await isrd?.stop();
        removeTempDir(dir);
    });

    it('offers a save only for the source with a ring', async () => {
        const garden = page.locator('li.source[data-source="garden"]');
        await page.click('#recorder-toggle'); // the cards are in the expanded recorder panel
        await eventually(async () => garden.locator('.source-replay button').isVisible(), { message: 'the save button' });
        const options = await garden.locator('.source-replay select option').allTextContents();
        assert.deepEqual(options, ['10 s', '20 s']);
        assert.equal(await garden.locator('.source-replay select').inputValue(), '20');
        assert.equal(await page.locator('li.source[data-source="radio"] .source-replay').isVisible(), false);
    });

    it('keeps the focus on the button while the status refreshes', async () => {
        const button = page.locator('li.source[data-source="garden"] .source-replay button');
        await button.focus();
        await page.waitForTimeout(2500); // two status polls re-render the card
        assert.equal(await button.evaluate((b) => b === document.activeElement), true);
    });

    it('saves the last seconds, links the file and lists it', async () => {
        const garden = page.locator('li.source[data-source="garden"]');
        await page.waitForTimeout(1500); // a few seconds in the ring
        await garden.locator('.source-replay select').selectOption('10');
        await garden.locator('.source-replay button').click();
        const link = garden.locator('.replay-result a');
        await eventually(async () => (await link.count()) === 1, { message: 'the saved file link' });
        assert.match(await garden.locator('.replay-result').textContent(), /^Saved \d+\.\d s: /);
        const href = await link.getAttribute('href');
        const saved = decodeURIComponent(href.replace(/^stream\//, ''));
        assert.match(saved, /^replays\/\d{4}-\d\d-\d\d\/\d{6}_garden_untitled\.flac$/);
        assert.ok(existsSync(path.join(recordings, saved)), `${saved} on disk`);
        const response = await page.request.get(`${server.url}/${href}`);
        assert.equal(response.status(), 200);
        assert.equal(response.headers()['content-type'], 'audio/flac');
        // The file list picks it up like any recording.
        await eventually(async () => (await page.locator(`tr.file-row[data-name="${saved}"]`).count()) === 1,
            { message: 'the saved file in the list', timeout: 10000 });
        assert.deepEqual(page.problems, []);
    });

    it('says why when isrd does not answer', async () => {
        await isrd.stop();
        isrd = null;
        // isrd removed its status.json: no source, so no save is offered; the API says why.
        await eventually(async () => /Recorder not running/.test(await page.textContent('#recorder-state')),
            { message: 'the recorder shown stopped', timeout: 15000 });
        assert.equal(await page.locator('.source-replay button').count(), 0);
        const response = await page.request.post(`${server.url}/api/replay`, { data: { source: 'garden', seconds: 5 } });
        assert.equal(response.status(), 503);
        assert.match((await response.json()).error, /isrd is not answering on its control socket/);
    });
});
