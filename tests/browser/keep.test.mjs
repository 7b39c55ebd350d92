// The ☆ Keep toggle on a file row: a pressed toggle is a .keep marker next to the recording (what
// isrd's retention honours), it survives a reload, reads in light and dark, and is absent with
// --read-only.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
    eventually, gotoReady, isoNow, keepStatusFresh, launchBrowser, makeArchive, makeTempDir, openPage,
    removeTempDir, row, startIsrWeb,
} from './harness.mjs';

const NAME = '2025/06/15/rec_130000.wav';

describe('keep toggle', () => {
    let dir;
    let server;
    let browser;

    before(async () => {
        dir = makeTempDir();
        makeArchive(dir, [{ name: NAME, seconds: 1, tone: 330 }]);
        server = await startIsrWeb(dir);
        browser = await launchBrowser();
    });

    after(async () => {
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    it('toggles the .keep marker with aria-pressed, and the state survives a reload', async () => {
        const page = await openPage(browser, `${server.url}/`);
        const keep = row(page, NAME).locator('button.keep');
        assert.equal(await keep.getAttribute('aria-pressed'), 'false');
        assert.equal(await keep.getAttribute('aria-label'), 'Keep rec_130000.wav');
        const marker = path.join(dir, `${NAME}.keep`);

        await keep.click();
        await eventually(async () => (await keep.getAttribute('aria-pressed')) === 'true', { message: 'pressed' });
        assert.ok(existsSync(marker));
        assert.match(await keep.textContent(), /★/);
        assert.equal(await keep.evaluate((b) => b === document.activeElement), true);

        await gotoReady(page, `${server.url}/`);
        const again = row(page, NAME).locator('button.keep');
        assert.equal(await again.getAttribute('aria-pressed'), 'true');

        await again.press('Enter');
        await eventually(async () => (await again.getAttribute('aria-pressed')) === 'false', { message: 'unpressed' });
        assert.equal(existsSync(marker), false);
        assert.match(await again.textContent(), /☆/);
        assert.deepEqual(page.problems, []);
        await page.context().close();
    });

    it('shows the pressed state in light and dark colour schemes', async () => {
        const colours = {};
        for (const colorScheme of ['light', 'dark']) {
            const page = await openPage(browser, `${server.url}/`, { colorScheme });
            const keep = row(page, NAME).locator('button.keep');
            const style = () => keep.evaluate((b) => {
                const s = getComputedStyle(b);
                return { color: s.color, background: s.backgroundColor };
            });
            const off = await style();
            await keep.click();
            await eventually(async () => (await keep.getAttribute('aria-pressed')) === 'true', { message: 'pressed' });
            const on = await style();
            assert.notEqual(on.background, off.background, `${colorScheme}: pressed looks different`);
            assert.notEqual(on.color, on.background, `${colorScheme}: text visible`);
            colours[colorScheme] = on;
            await keep.click();
            await eventually(async () => (await keep.getAttribute('aria-pressed')) === 'false', { message: 'unpressed' });
            assert.deepEqual(page.problems, []);
            await page.context().close();
        }
        assert.notDeepEqual(colours.light, colours.dark);
    });

    it('shows isrd\'s disk_low alarm in the recorder status', async () => {
        const alarm = { kind: 'disk_low', since: isoNow(-30), message: 'only 0.41 GB (3.9 %) free, below min_free_percent = 10' };
        const stop = keepStatusFresh(dir, () => ({ alarm }));
        try {
            const page = await openPage(browser, `${server.url}/?poll=1`);
            const state = page.locator('#recorder-state');
            await eventually(async () => /Disk low/.test(await state.textContent()), { message: 'disk low pill' });
            assert.match(await state.textContent(), /below min_free_percent = 10/);
            await page.context().close();
        } finally {
            stop();
        }
    });

    it('is not offered by a read-only server', async () => {
        const readOnly = await startIsrWeb(dir, ['--read-only']);
        try {
            const page = await openPage(browser, `${readOnly.url}/`);
            assert.equal(await row(page, NAME).count(), 1);
            assert.equal(await row(page, NAME).locator('button.keep').count(), 0);
            await page.context().close();
        } finally {
            await readOnly.stop();
        }
    });
});
