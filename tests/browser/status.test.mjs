// Recorder status in the UI, driven by a status.json written here the way isrd writes it:
// REC badges, the list refreshing when recording starts and stops, per-source state and level
// meter, the silent-source warning, staleness, and read-only mode.

import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
    day, eventually, isoNow, keepStatusFresh, launchBrowser, makeArchive, makeRecording, makeTempDir,
    openPage, removeTempDir, row, source, startIsrWeb, writeStatus,
} from './harness.mjs';

const LIVE = '2025/06/15/rec_140000.flac';

describe('recorder status', () => {
    let dir;
    let server;
    let browser;
    let page;
    let stopFresh = () => {};
    let status;

    before(async () => {
        dir = makeTempDir();
        makeArchive(dir);
        makeRecording(dir, { name: LIVE, seconds: 5, tone: 220 });
        status = {
            active: [LIVE],
            sources: [
                source({ name: 'garden', file: LIVE, level_dbfs: -35.4, peak_dbfs: -20.1, xruns: 2 }),
                source({
                    name: 'radio1', type: 'stream', state: 'retrying', file: null, format: 'mp3', level_dbfs: null,
                    peak_dbfs: null, reconnects: 3, error: 'connection refused by 127.0.0.1:9 (retrying in 5 s)',
                    stream_title: 'Some Artist - Some Title', input: 'http://127.0.0.1:9/live',
                }),
            ],
        };
        stopFresh = keepStatusFresh(dir, () => status);
        server = await startIsrWeb(dir);
        browser = await launchBrowser();
        // A 1 s status poll instead of 5 s keeps the test short.
        page = await openPage(browser, `${server.url}/?poll=1`);
    });

    after(async () => {
        stopFresh();
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    it('marks the file being recorded with a REC badge and protects it', async () => {
        const live = row(page, LIVE);
        await eventually(() => live.locator('.rec-badge').isVisible(), { message: 'the REC badge' });
        assert.match(await live.locator('.rec-badge').textContent(), /REC/);
        assert.equal(await live.locator('td.duration').textContent(), '—');
        assert.equal(await live.locator('button.delete').isDisabled(), true);
        assert.equal(await live.locator('button.cut').isDisabled(), true);
        // Analysed as far as it goes (its waveform grows while open: live.test.mjs).
        assert.equal(await live.locator('button.analyse').isDisabled(), false);
        assert.match(await live.locator('button.analyse').getAttribute('title'), /so far/);
        // Only that one.
        assert.equal(await page.locator('.rec-badge:visible').count(), 1);
        assert.equal(await row(page, '2025/06/15/rec_120000.ogg').locator('button.delete').isDisabled(), false);
        assert.match(await day(page, '2025-06-15').locator('.day-meta').textContent(), /\+ live/);

        // The server refuses too, with a sentence the UI could show.
        const refused = await page.evaluate(async (name) => {
            const r = await fetch(`/api/files/${name}`, { method: 'DELETE' });
            return { status: r.status, body: await r.json() };
        }, LIVE);
        assert.equal(refused.status, 409);
        assert.match(refused.body.error, /still being recorded/);
        page.problems.length = 0; // the browser logs the 409
    });

    it('shows each source: state, level meter, errors, stream title and counters', async () => {
        assert.match(await page.textContent('#recorder-state'), /1 source not recording/);
        // Collapsed, the strip names the source in trouble; the cards are in the expanded panel.
        assert.match(await page.textContent('#recorder-toggle'), /radio1 retrying — connection refused by 127\.0\.0\.1:9/);
        await page.click('#recorder-toggle');
        assert.equal(await page.getAttribute('#recorder-toggle', 'aria-expanded'), 'true');
        const garden = page.locator('li.source[data-source="garden"]');
        assert.match(await garden.locator('.state').textContent(), /recording/);
        const meter = garden.locator('[role="meter"]');
        assert.equal(await meter.getAttribute('aria-valuenow'), '-35.4');
        assert.match(await meter.getAttribute('aria-valuetext'), /−35 dBFS \(peak −20 dBFS\)/);
        // −35 dBFS on a −90…0 dBFS scale.
        const fill = await meter.locator('.meter-fill').evaluate((e) => parseFloat(e.style.width));
        assert.ok(fill > 55 && fill < 66, `meter fill ${fill} %`);
        assert.equal(await meter.locator('.meter-fill').isVisible(), true);
        assert.match(await garden.textContent(), /rec_140000\.flac/);
        assert.match(await garden.textContent(), /2 xruns/);
        assert.equal(await garden.locator('.source-warning').count(), 0);

        const radio = page.locator('li.source[data-source="radio1"]');
        assert.match(await radio.locator('.state').textContent(), /retrying/);
        assert.match(await radio.locator('.source-error').textContent(), /connection refused by 127\.0\.0\.1:9/);
        assert.match(await radio.locator('.source-title').textContent(), /Some Artist - Some Title/);
        assert.match(await radio.textContent(), /3 reconnects/);
        assert.match(await radio.textContent(), /no level/);
    });

    it('warns when a recording source stays silent', async () => {
        status.sources[0] = { ...status.sources[0], level_dbfs: -86.0, peak_dbfs: -80.0 };
        const garden = page.locator('li.source[data-source="garden"]');
        await eventually(() => garden.locator('.source-warning').isVisible(), { message: 'the silence warning' });
        assert.match(await garden.locator('.source-warning').textContent(), /silent/);
        assert.match(await page.textContent('#recorder-toggle'), /garden is silent/);
        status.sources[0] = { ...status.sources[0], level_dbfs: -40.0, peak_dbfs: -30.0 };
        await eventually(async () => (await garden.locator('.source-warning').count()) === 0, { message: 'the warning to clear' });
    });

    it('puts low disk space on the one-line strip, where it is seen collapsed', async () => {
        const strip = () => page.textContent('#recorder-toggle');
        // The disk under the recordings as /api/storage would report it at 1 % free.
        await page.route('**/api/storage', (route) => route.fulfill({
            contentType: 'application/json',
            body: JSON.stringify({ available_bytes: 1e9, free_bytes: 1e9, total_bytes: 100e9, recordings_bytes: 5e6, recordings_count: 7 }),
        }));
        const radio = status.sources[1];
        try {
            await page.click('#refresh');
            await eventually(async () => /Low disk space: 1(\.0)? GB free of 100(\.0)? GB/.test(await strip()), { message: 'the low-disk warning on the strip' });
            // A source not recording still names the pill; the disk leads the line after it.
            assert.match(await strip(), /not recording.*Low disk space/s);
            assert.equal(await page.getAttribute('#recorder-toggle', 'data-kind'), 'warn');
            // With every source well, the disk names the pill, and the line does not say it twice.
            status.sources[1] = { ...status.sources[1], state: 'recording', error: null };
            await eventually(async () => /^⚠ Low disk space$/.test(await page.textContent('#recorder-state .pill')), { message: 'the disk in the pill' });
            assert.match(await page.textContent('#recorder-state .recorder-text'), /^1(\.0)? GB free of 100 GB · /);
        } finally {
            status.sources[1] = radio;
            await page.unroute('**/api/storage');
        }
        await page.click('#refresh');
        await eventually(async () => !/Low disk space/.test(await strip()), { message: 'the warning to go with the space back' });
    });

    it('refreshes the list when recording rolls over to a new file', async () => {
        const next = '2025/06/15/rec_150000.flac';
        copyFileSync(path.join(dir, LIVE), path.join(dir, next));
        assert.equal(await row(page, next).count(), 0);
        status.active = [next];
        status.sources[0] = { ...status.sources[0], file: next };
        await eventually(() => row(page, next).locator('.rec-badge').isVisible(), { message: 'the new file with REC' });
        assert.equal(await row(page, LIVE).locator('.rec-badge').isVisible(), false);
        assert.equal(await row(page, LIVE).locator('td.duration').textContent(), '0:05');
        assert.equal(await row(page, LIVE).locator('button.delete').isDisabled(), false);
        assert.equal(await page.textContent('#count'), '7 recordings');
    });

    it('waits for playback to stop before re-rendering the list', async () => {
        const playing = '2025/06/15/rec_080000.flac';
        const next = '2025/06/15/rec_160000.flac';
        await row(page, playing).locator('button.play').click();
        const audio = page.locator(`tr.detail-row[data-detail-for="${playing}"] audio`);
        await eventually(() => audio.evaluate((a) => !a.paused && a.currentTime > 0.2), { message: 'playback' });
        copyFileSync(path.join(dir, LIVE), path.join(dir, next));
        status.active = [next];
        status.sources[0] = { ...status.sources[0], file: next };
        await page.waitForTimeout(2500); // two status polls
        assert.equal(await row(page, next).count(), 0, 'no refresh while listening');
        assert.equal(await audio.evaluate((a) => a.paused), false);
        await row(page, playing).locator('button.play').click();
        await eventually(() => row(page, next).locator('.rec-badge').isVisible(), { message: 'the refresh after playback' });
        assert.equal(await page.textContent('#count'), '8 recordings');
    });

    it('says when the recorder status is stale, then when isrd is not running', async () => {
        stopFresh();
        writeStatus(dir, { ...status, updated: isoNow(-60) });
        await eventually(async () => /stale/.test(await page.textContent('#recorder-state')), { message: 'the stale state' });
        assert.match(await page.textContent('#recorder-state'), /may have stopped/);
        await eventually(async () => (await page.locator('.rec-badge:visible').count()) === 0, { message: 'REC badges to go' });
        assert.match(await page.locator('li.source[data-source="garden"] .state').textContent(), /last known/);

        rmSync(path.join(dir, 'status.json'));
        await eventually(async () => /Recorder not running/.test(await page.textContent('#recorder-state')), { message: 'not running' });
        assert.equal(await page.locator('li.source').count(), 0);
        assert.deepEqual(page.problems, []);
    });

    it('hides delete buttons when the server is read-only', async () => {
        const readOnly = await startIsrWeb(dir, ['--read-only']);
        const ro = await openPage(browser, `${readOnly.url}/`);
        try {
            assert.equal(await ro.locator('tr.file-row').count() > 0, true);
            assert.equal(await ro.locator('button.delete').count(), 0);
            assert.equal(await ro.locator('#read-only-note').isVisible(), true);
            assert.equal(await ro.locator('tr.file-row button.play').first().isVisible(), true);
            const refused = await ro.evaluate(async () => (await fetch('/api/files/2025/06/15/rec_120000.ogg', { method: 'DELETE' })).status);
            assert.equal(refused, 403);
        } finally {
            await ro.context().close();
            await readOnly.stop();
        }
    });
});
