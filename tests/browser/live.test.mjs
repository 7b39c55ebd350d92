// A real isrd recording a generator source while the UI watches: the live file gets its REC
// badge, the source shows its state and level, the file being written plays, its waveform and
// today's highlights grow, and when isrd stops the UI says so and the file becomes an ordinary recording.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { eventually, launchBrowser, makeTempDir, openPage, removeTempDir, startIsrd, startIsrWeb } from './harness.mjs';

describe('live recording with isrd', () => {
    let dir;
    let recordings;
    let isrd;
    let server;
    let browser;
    let page;

    before(async () => {
        dir = makeTempDir();
        recordings = path.join(dir, 'rec');
        // One file for the whole test unless a 10-minute boundary passes; the test copes with both.
        isrd = await startIsrd(`[general]
output_directory = ${recordings}
split_interval = 10min
filename_pattern = {source}/%Y/%m/%d/{source}_%H%M%S
log_file =

[garden]
type = generator
format = flac
channels = 1
sample_rate = 16000
`, dir, recordings);
        server = await startIsrWeb(recordings);
        browser = await launchBrowser();
        page = await openPage(browser, `${server.url}/?poll=1`);
    });

    after(async () => {
        await browser?.close();
        await server?.stop();
        await isrd?.stop();
        removeTempDir(dir);
    });

    it('shows the source recording with its level, and the live file with REC', async () => {
        const garden = page.locator('li.source[data-source="garden"]');
        await eventually(async () => /recording/.test(await garden.locator('.state').textContent()), { message: 'garden recording' });
        assert.match(await page.textContent('#recorder-state'), /Recorder running/);
        const level = await eventually(async () => {
            const v = await garden.locator('[role="meter"]').getAttribute('aria-valuenow');
            return Number(v) > -90 ? Number(v) : null;
        }, { message: 'a level' });
        assert.ok(level < 0, `level ${level}`);
        assert.equal(await garden.locator('.source-warning').count(), 0, 'the generator is not silent');

        const live = page.locator('tr.file-row.recording');
        await eventually(async () => (await live.count()) >= 1, { message: 'a row with REC' });
        const name = await live.first().getAttribute('data-name');
        assert.match(name, /^garden\/\d{4}\/\d{2}\/\d{2}\/garden_\d{6}\.flac$/);
        assert.equal(await live.first().locator('.rec-badge').isVisible(), true);
        assert.equal(await live.first().locator('td.duration').textContent(), '—');
        assert.equal(await live.first().locator('button.delete').isDisabled(), true);
    });

    it('plays the file while it is being written', async () => {
        const live = page.locator('tr.file-row.recording').first();
        const name = await live.getAttribute('data-name');
        await page.waitForTimeout(1500); // a little audio to play
        await live.locator('button.play').click();
        const audio = page.locator(`tr.detail-row[data-detail-for="${name}"] audio`);
        assert.match(await audio.getAttribute('src'), /\?t=\d+$/, 'a live file is loaded with a cache-busting URL');
        const duration = await eventually(() => audio.evaluate((a) => (Number.isFinite(a.duration) && a.duration > 0 ? a.duration : 0)),
            { message: 'the duration so far' });
        assert.ok(duration >= 1, `duration so far ${duration}`);
        await eventually(() => audio.evaluate((a) => a.currentTime > 0.2), { message: 'playback' });
        assert.equal(await page.locator(`tr.detail-row[data-detail-for="${name}"] .note`).isVisible(), true);
        await live.locator('button.play').click(); // pause, so the list may refresh
    });

    it('extends the live file\'s waveform while its analysis is open, without a reload', async () => {
        const live = page.locator('tr.file-row.recording').first();
        const name = await live.getAttribute('data-name');
        await page.evaluate(() => { window.sameDocument = true; });
        await live.locator('button.analyse').click();
        const panel = page.locator(`tr.detail-row[data-detail-for="${name}"] .analysis-panel`);
        const duration = () => panel.locator('svg.waveform').getAttribute('data-duration').then(Number);
        const first = await eventually(duration, { message: 'a waveform of the live file' });
        assert.match(await panel.locator('.analysis-status').textContent(), /still recording/);
        // Someone on the keyboard is about to zoom: the panel's rebuilds must leave focus there.
        await panel.locator('button.zoom-in').focus();
        const before = await panel.locator('button.zoom-in').elementHandle();
        const later = await eventually(async () => {
            const d = await duration();
            return d >= first + 2 ? d : 0;
        }, { timeout: 15000, message: 'the waveform to extend' });
        assert.ok(later > first, `${first} s, then ${later} s`);
        assert.equal(await before.evaluate((b) => b.isConnected), false, 'the panel was rebuilt');
        assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('zoom-in')
            && document.activeElement.closest('.analysis-panel') !== null), true, 'focus stays on Zoom in');
        assert.equal(await page.evaluate(() => window.sameDocument), true, 'no page reload');
        await live.locator('button.analyse').click(); // closed: it stops asking
    });

    it('refreshes today\'s highlights while they are open, the live file growing', async () => {
        const answers = [];
        const collect = async (r) => {
            if (/\/api\/highlights\?/.test(r.url()) && r.status() === 200) answers.push(await r.json());
        };
        page.on('response', collect);
        try {
            await page.locator('button.hl-toggle').first().click();
            await page.locator('.highlights svg.timeline').first().waitFor();
            // ?poll=1: every 3 s here (15 s by default).
            await eventually(() => answers.length >= 2, { timeout: 10000, message: 'a second highlights answer' });
            const live = (body) => body.files.find((f) => f.live);
            assert.ok(live(answers[0]), 'the file being recorded is in the highlights, marked live');
            assert.ok(live(answers.at(-1)).duration > live(answers[0]).duration,
                `${live(answers[0]).duration} s, then ${live(answers.at(-1)).duration} s`);
            assert.equal(await page.evaluate(() => window.sameDocument), true, 'no page reload');
        } finally {
            page.off('response', collect);
            await page.locator('button.hl-toggle').first().click();
        }
    });

    it('notices when isrd stops and finalises the file', async () => {
        const name = await page.locator('tr.file-row.recording').first().getAttribute('data-name');
        await isrd.stop();
        await eventually(async () => /Recorder not running/.test(await page.textContent('#recorder-state')), { message: 'not running' });
        const r = page.locator(`tr.file-row[data-name="${name}"]`);
        await eventually(async () => !(await r.locator('.rec-badge').isVisible()), { message: 'the REC badge to go' });
        await eventually(async () => /^\d+:\d\d$/.test(await r.locator('td.duration').textContent()), { message: 'a final duration' });
        assert.equal(await r.locator('button.delete').isDisabled(), false);
        assert.deepEqual(page.problems, []);
    });
});
