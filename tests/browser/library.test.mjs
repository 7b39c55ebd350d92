// The recordings list in a real browser: loading, day groups, filters, playback, download, cut
// link, delete, keyboard access. One isr-web over a generated two-day archive.

import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
    cspViolations, day, eventually, gotoReady, launchBrowser, makeArchive, makeTempDir, openPage,
    removeTempDir, row, startIsrWeb,
} from './harness.mjs';

describe('recordings list', () => {
    let dir;
    let server;
    let browser;
    let page;

    before(async () => {
        dir = makeTempDir();
        makeArchive(dir);
        server = await startIsrWeb(dir);
        browser = await launchBrowser();
        page = await openPage(browser);
    });

    after(async () => {
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    it('loads with no console errors and no CSP violations', async () => {
        const apiCalls = [];
        page.on('request', (r) => {
            if (r.url().includes('/api/')) apiCalls.push(new URL(r.url()).pathname);
        });
        const response = await gotoReady(page, `${server.url}/`);
        assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'self'/);
        await page.waitForTimeout(300);
        assert.deepEqual(page.problems, []);
        assert.deepEqual(await cspViolations(page), []);
        assert.equal(await page.title(), 'isr — recordings');
        // Everything came from isr-web itself.
        const external = await page.evaluate(() => performance.getEntriesByType('resource')
            .map((e) => e.name).filter((u) => !u.startsWith(location.origin)));
        assert.deepEqual(external, []);
        // One listing; nothing is analysed until asked.
        assert.deepEqual(apiCalls.filter((p) => p === '/api/files'), ['/api/files']);
        assert.deepEqual(apiCalls.filter((p) => /analyze|highlights|clip/.test(p)), []);
    });

    it('groups recordings by day, newest day expanded, with counts, durations and sizes', async () => {
        const days = page.locator('section.day');
        assert.equal(await days.count(), 2);
        assert.deepEqual(await days.evaluateAll((els) => els.map((e) => e.dataset.day)), ['2025-06-15', '2025-06-14']);

        const newest = day(page, '2025-06-15');
        const older = day(page, '2025-06-14');
        assert.equal(await newest.locator('.day-toggle').getAttribute('aria-expanded'), 'true');
        assert.equal(await older.locator('.day-toggle').getAttribute('aria-expanded'), 'false');
        assert.match(await newest.locator('.day-meta').textContent(), /^3 files · 0:30 · /);
        assert.match(await older.locator('.day-meta').textContent(), /^2 files · 0:38 · /);
        assert.match(await newest.locator('time').getAttribute('datetime'), /^2025-06-15$/);

        // Newest first inside the day; a collapsed day has built no rows at all.
        assert.deepEqual(await newest.locator('tr.file-row').evaluateAll((els) => els.map((e) => e.dataset.name)),
            ['2025/06/15/rec_130000.wav', '2025/06/15/rec_120000.ogg', '2025/06/15/rec_080000.flac']);
        assert.equal(await older.locator('tr.file-row').count(), 0);
        assert.equal(await older.locator('.day-body').isVisible(), false);

        const ogg = row(page, '2025/06/15/rec_120000.ogg');
        assert.equal(await ogg.locator('td.start').textContent(), '12:00:00');
        assert.equal(await ogg.locator('td.duration').textContent(), '0:06');
        assert.equal(await ogg.locator('td.format').textContent(), 'OGG');
        assert.equal(await ogg.locator('.rec-badge').isVisible(), false);

        await older.locator('.day-toggle').click();
        assert.equal(await older.locator('.day-toggle').getAttribute('aria-expanded'), 'true');
        assert.equal(await older.locator('tr.file-row').count(), 2);
        assert.equal(await row(page, '2025/06/14/rec_100000.mp3').locator('td.duration').textContent(), '0:08');

        // Expanded state survives a re-render.
        await page.click('#refresh');
        await page.waitForTimeout(300);
        assert.equal(await older.locator('.day-toggle').getAttribute('aria-expanded'), 'true');
        await older.locator('.day-toggle').click();
        assert.equal(await older.locator('.day-body').isVisible(), false);
    });

    it('filters by name and by date, showing "N of M shown"', async () => {
        assert.equal(await page.textContent('#count'), '5 recordings');
        await page.fill('#search', 'MP3');
        assert.equal(await page.textContent('#count'), '1 of 5 shown');
        assert.equal(await day(page, '2025-06-15').isVisible(), false);
        assert.equal(await day(page, '2025-06-14').isVisible(), true);
        assert.match(await day(page, '2025-06-14').locator('.day-meta').textContent(), /^1 of 2 files/);

        await page.fill('#search', 'rec_1');
        assert.equal(await page.textContent('#count'), '3 of 5 shown');
        await page.fill('#search', '');

        await page.fill('#date-from', '2025-06-15');
        assert.equal(await page.textContent('#count'), '3 of 5 shown');
        assert.equal(await day(page, '2025-06-14').isVisible(), false);
        await page.fill('#date-from', '');
        await page.fill('#date-to', '2025-06-14');
        assert.equal(await page.textContent('#count'), '2 of 5 shown');
        assert.equal(await day(page, '2025-06-15').isVisible(), false);

        await page.fill('#search', 'nothing-like-this');
        assert.equal(await page.textContent('#count'), '0 of 5 shown');
        assert.match(await page.textContent('#days'), /No recordings match the filters/);

        await page.click('#filters-clear');
        assert.equal(await page.textContent('#count'), '5 recordings');
        assert.equal(await page.inputValue('#date-to'), '');
        assert.equal(await day(page, '2025-06-15').isVisible(), true);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'search');
    });

    it('plays a file in a lazily created player', async () => {
        const name = '2025/06/15/rec_120000.ogg';
        const r = row(page, name);
        const detail = page.locator(`tr.detail-row[data-detail-for="${name}"]`);
        assert.equal(await detail.locator('audio').count(), 0, 'no audio element before Play');
        await r.locator('button.play').click();
        assert.equal(await r.locator('button.play').getAttribute('aria-expanded'), 'true');
        const audio = detail.locator('audio');
        assert.equal(await audio.getAttribute('preload'), 'metadata');
        assert.equal(await audio.evaluate((a) => new URL(a.src).pathname), '/stream/2025/06/15/rec_120000.ogg');
        const duration = await eventually(() => audio.evaluate((a) => a.duration), { message: 'a duration' });
        assert.ok(Math.abs(duration - 6) < 0.5, `duration ${duration}`);
        await eventually(() => audio.evaluate((a) => a.currentTime > 0.3 && !a.paused), { message: 'playback to advance' });

        // Closing the player pauses it.
        await r.locator('button.play').click();
        assert.equal(await audio.evaluate((a) => a.paused), true);
        assert.equal(await detail.isVisible(), false);
        assert.deepEqual(page.problems, []);
    });

    it('links each file to its download', async () => {
        const link = row(page, '2025/06/15/rec_080000.flac').locator('a.download');
        const href = await link.evaluate((a) => a.href);
        assert.equal(href, `${server.url}/download/2025/06/15/rec_080000.flac`);
        assert.equal(await link.getAttribute('download'), 'rec_080000.flac');
        const response = await page.request.get(href);
        assert.equal(response.status(), 200);
        assert.match(response.headers()['content-disposition'], /^attachment/);
        assert.equal((await response.body()).subarray(0, 4).toString(), 'fLaC');
    });

    it('builds the cut link from m:ss times and explains bad input', async () => {
        const name = '2025/06/15/rec_080000.flac';
        const r = row(page, name);
        await r.locator('button.cut').click();
        assert.equal(await r.locator('button.cut').getAttribute('aria-expanded'), 'true');
        const panel = page.locator(`tr.detail-row[data-detail-for="${name}"] .cut-panel`);
        assert.equal(await panel.isVisible(), true);
        assert.equal(await page.evaluate(() => document.activeElement.classList.contains('time-input')), true);
        const inputs = panel.locator('input.time-input');
        await inputs.nth(0).fill('0:03');
        await inputs.nth(1).fill('0:12.5');
        const link = panel.locator('a.cut-download');
        const href = new URL(await link.getAttribute('href'), server.url);
        assert.equal(href.pathname, '/api/cut');
        assert.equal(href.searchParams.get('file'), name);
        assert.equal(href.searchParams.get('start'), '3');
        assert.equal(href.searchParams.get('end'), '12.5');

        await inputs.nth(1).fill('0:02');
        assert.equal(await link.getAttribute('href'), null);
        assert.match(await panel.locator('.field-error').textContent(), /End must be after start/);
        await inputs.nth(0).fill('one minute');
        assert.match(await panel.locator('.field-error').textContent(), /Start: enter a time/);
        assert.equal(await inputs.nth(0).getAttribute('aria-invalid'), 'true');
        await r.locator('button.cut').click();
        assert.equal(await panel.isVisible(), false);
    });

    it('deletes a file after confirmation, and keeps it on cancel', async () => {
        const name = '2025/06/15/rec_130000.wav';
        const file = path.join(dir, name);
        const deleteButton = row(page, name).locator('button.delete');

        await deleteButton.click();
        const dialog = page.locator('dialog#confirm');
        assert.equal(await dialog.isVisible(), true);
        assert.match(await dialog.textContent(), /rec_130000\.wav/);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-cancel');
        await page.keyboard.press('Escape');
        assert.equal(await dialog.isVisible(), false);
        assert.ok(existsSync(file));
        assert.equal(await row(page, name).count(), 1);
        assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), `Delete rec_130000.wav`);

        await deleteButton.click();
        await page.click('#confirm-ok');
        await eventually(async () => (await row(page, name).count()) === 0, { message: 'the row to go' });
        assert.equal(existsSync(file), false, 'the file is gone from disk');
        assert.equal(await page.textContent('#count'), '4 recordings');
        assert.match(await day(page, '2025-06-15').locator('.day-meta').textContent(), /^2 files/);
        // Focus moved to the next row instead of getting lost.
        await eventually(() => page.evaluate(() => document.activeElement.getAttribute('aria-label') === 'Delete rec_120000.ogg'),
            { message: 'focus on the next row' });
        await eventually(async () => /Deleted 2025\/06\/15\/rec_130000\.wav/.test(await page.textContent('#live')), { message: 'an announcement' });
        assert.deepEqual(page.problems, []);
    });

    it('shows the server error when a delete fails', async () => {
        const name = '2025/06/15/rec_120000.ogg';
        rmSync(path.join(dir, name)); // deleted behind the UI's back
        await row(page, name).locator('button.delete').click();
        await page.click('#confirm-ok');
        await eventually(() => page.locator('#alert').isVisible(), { message: 'the error' });
        assert.match(await page.textContent('#alert-text'), /Could not delete .*rec_120000\.ogg: no such recording/);
        page.problems.length = 0; // the 404 is logged by the browser, on purpose here
        await page.click('#alert-close');
        assert.equal(await page.locator('#alert').isVisible(), false);
    });

    it('is keyboard accessible: skip link first, then the main controls', async () => {
        const fresh = await openPage(browser, `${server.url}/`);
        try {
            await fresh.keyboard.press('Tab');
            assert.equal(await fresh.evaluate(() => document.activeElement.textContent), 'Skip to recordings');
            assert.equal(await fresh.locator('.skip-link').isVisible(), true);
            await fresh.keyboard.press('Enter');
            assert.equal(await fresh.evaluate(() => document.activeElement.id), 'main');

            const seen = [];
            for (let i = 0; i < 30; i++) {
                await fresh.keyboard.press('Tab');
                seen.push(await fresh.evaluate(() => {
                    const e = document.activeElement;
                    return e.id || [...e.classList].join('.') || e.tagName;
                }));
            }
            for (const expected of ['recorder-toggle', 'search', 'date-from', 'date-to', 'refresh', 'detection-toggle', 'day-toggle', 'hl-toggle.secondary', 'play']) {
                assert.ok(seen.includes(expected), `Tab reaches ${expected}: ${seen.join(', ')}`);
            }
            // The skip link lands past the header (its recorder strip comes round after the page).
            assert.ok(seen.indexOf('search') < seen.indexOf('detection-toggle') && seen.indexOf('detection-toggle') < seen.indexOf('day-toggle'), seen.join(', '));
            // The detection settings sit in the closed Detection block: opened, Tab reaches them, before the days.
            assert.ok(!seen.includes('margin'), 'a closed block hides its inputs from Tab');
            await fresh.focus('#detection-toggle');
            await fresh.keyboard.press('Enter');
            const after = [];
            for (let i = 0; i < 6; i++) {
                await fresh.keyboard.press('Tab');
                after.push(await fresh.evaluate(() => document.activeElement.id || document.activeElement.className));
            }
            assert.deepEqual(after.slice(0, 4), ['margin', 'min-gap', 'min-duration', 'controls-reset'], after.join(', '));

            // The day toggle works from the keyboard.
            const toggle = fresh.locator('section.day[data-day="2025-06-15"] .day-toggle');
            await toggle.focus();
            await fresh.keyboard.press('Enter');
            assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
            await fresh.keyboard.press('Space');
            assert.equal(await toggle.getAttribute('aria-expanded'), 'true');

            // "/" jumps to the search box; shortcuts stay off while typing there.
            await fresh.keyboard.press('/');
            assert.equal(await fresh.evaluate(() => document.activeElement.id), 'search');
            await fresh.keyboard.type('jk/');
            assert.equal(await fresh.inputValue('#search'), 'jk/');
            assert.equal(await fresh.locator('#reel').isVisible(), false);
            assert.deepEqual(fresh.problems, []);
        } finally {
            await fresh.context().close();
        }
    });

    it('lays out rows as cards on a phone', async () => {
        const phone = await openPage(browser, `${server.url}/`, { viewport: { width: 390, height: 800 }, colorScheme: 'dark' });
        try {
            const width = await phone.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(width <= 390, `no horizontal scrolling (${width} px)`);
            assert.equal(await phone.locator('section.day[data-day="2025-06-15"] thead').isVisible(), false);
            assert.equal(await phone.locator('tr.file-row button.play').first().isVisible(), true);
            assert.deepEqual(phone.problems, []);
        } finally {
            await phone.context().close();
        }
    });
});
