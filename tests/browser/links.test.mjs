// Deep links, global keys and the day timeline in a real browser: a link restores the day, file
// and position in a new page; back/forward walk between files; Space, P and the ? help; search
// opening collapsed days; the Highlights timeline; no wall of cached waveforms.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { day, eventually, launchBrowser, makeArchive, makeTempDir, openPage, removeTempDir, row, startIsrWeb } from './harness.mjs';

// One source, "garden", in its own folder like {source}/%Y/%m/%d/{source}_%H%M%S writes it.
const A = 'garden/2025/06/15/garden_080000.flac'; // 20 s, bursts at 4–5 and 12–13.5 s
const B = 'garden/2025/06/15/garden_120000.wav'; // 10 s, a burst at 3–4 s
const C = 'garden/2025/06/15/garden_130000.wav'; // 8 s, steady
const OLD = 'garden/2025/06/14/garden_090000.wav'; // 30 s, three bursts
const ARCHIVE = [
    { name: A, seconds: 20, bursts: [[4, 5], [12, 13.5]] },
    { name: B, seconds: 10, bursts: [[3, 4]] },
    { name: C, seconds: 8, tone: 330 },
    { name: OLD, seconds: 30, bursts: [[5, 6], [14, 15.5], [24, 25]] },
    { name: 'garden/2025/06/14/garden_100000.wav', seconds: 8, tone: 440 },
];
const ANALYSIS_TIMEOUT = 20000;

function player(page, name) {
    return page.locator(`tr.detail-row[data-detail-for="${name}"] .player-panel audio`);
}

async function audioState(locator) {
    return locator.evaluate((a) => ({ t: a.currentTime, paused: a.paused, ready: a.readyState }));
}

function hashOf(url) {
    return Object.fromEntries(new URLSearchParams(new URL(url).hash.slice(1)));
}

/** Plays a file from its row and waits until it really plays. */
async function play(page, name) {
    await row(page, name).locator('button.play').click();
    await eventually(async () => !(await audioState(player(page, name))).paused, { message: `${name} playing` });
}

describe('deep links and keys', () => {
    let dir;
    let server;
    let browser;

    before(async () => {
        dir = makeTempDir();
        makeArchive(dir, ARCHIVE);
        server = await startIsrWeb(dir);
        browser = await launchBrowser();
    });

    after(async () => {
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    it('a link to a position opens the same file at that time in a new page', async () => {
        const page = await openPage(browser, `${server.url}/`);
        await play(page, A);
        await player(page, A).evaluate((a) => { a.currentTime = 12.3; });
        await player(page, A).evaluate((a) => a.pause());
        const link = await eventually(async () => {
            const url = page.url();
            const t = Number(hashOf(url).t);
            return Math.abs(t - 12.3) < 0.6 ? url : null;
        }, { message: 'the position in the URL' });
        assert.deepEqual({ ...hashOf(link), t: undefined }, { day: '2025-06-15', file: A, t: undefined });
        assert.match(new URL(link).hash, /file=garden\/2025\/06\/15\/garden_080000\.flac/, 'slashes stay readable');

        const other = await openPage(browser, link);
        assert.equal(await day(other, '2025-06-15').locator('.day-toggle').getAttribute('aria-expanded'), 'true');
        assert.equal(await player(other, A).isVisible(), true);
        const state = await eventually(async () => {
            const s = await audioState(player(other, A));
            return s.ready >= 1 && Math.abs(s.t - 12.3) < 1 ? s : null;
        }, { message: 'the player at 12.3 s' });
        assert.ok(!state.paused || (await player(other, A).evaluate((a) => a === document.activeElement)),
            'playing, or paused with focus on the player');
        assert.deepEqual(other.problems, []);
        await other.context().close();
        await page.context().close();
    });

    it('back and forward restore each file', async () => {
        const page = await openPage(browser, `${server.url}/`);
        await play(page, A);
        await player(page, A).evaluate((a) => { a.currentTime = 6; });
        await eventually(async () => Math.abs(Number(hashOf(page.url()).t) - 6) < 1.5, { message: 'A at 6 s in the URL' });
        await play(page, B);
        await eventually(async () => hashOf(page.url()).file === B, { message: 'B in the URL' });
        assert.equal((await audioState(player(page, A))).paused, true, 'one thing plays at a time');

        await page.goBack();
        await eventually(async () => hashOf(page.url()).file === A, { message: 'back to A' });
        await eventually(async () => {
            const s = await audioState(player(page, A));
            return !s.paused && s.t >= 5 && s.t < 12;
        }, { message: 'A playing again from about 6 s' });
        assert.equal((await audioState(player(page, B))).paused, true);

        await page.goForward();
        await eventually(async () => hashOf(page.url()).file === B, { message: 'forward to B' });
        await eventually(async () => !(await audioState(player(page, B))).paused, { message: 'B playing again' });
        assert.deepEqual(page.problems, []);
        await page.context().close();
    });

    it('a link to a missing file says so', async () => {
        const page = await openPage(browser, `${server.url}/#day=2025-06-15&file=garden/2025/06/15/garden_230000.wav&t=5`);
        assert.equal(await page.locator('#alert').isVisible(), true);
        assert.match(await page.textContent('#alert-text'), /garden_230000\.wav.*not in the archive/);
        await page.context().close();
    });

    it('? lists every shortcut; Escape closes it and focus returns', async () => {
        const page = await openPage(browser, `${server.url}/`);
        assert.match(await page.textContent('#shortcut-help'), /\?/);
        await page.focus('#refresh');
        await page.keyboard.press('?');
        const dialog = page.locator('dialog#help');
        assert.equal(await dialog.isVisible(), true);
        assert.equal(await dialog.getAttribute('aria-labelledby'), 'help-title');
        const keys = await dialog.locator('th').allTextContents();
        for (const key of ['/', 'J', 'K', 'Space', 'P', '?', 'Escape', 'Tab', '← →', 'Home End', '↑ ↓', '+ =', '-', '0', 'Drag']) {
            assert.ok(keys.map((k) => k.trim()).includes(key), `${key} in ${JSON.stringify(keys)}`);
        }
        await page.keyboard.press('Escape');
        assert.equal(await dialog.isVisible(), false);
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'refresh');
        // The close button works too.
        await page.keyboard.press('?');
        await page.click('#help-close');
        assert.equal(await dialog.isVisible(), false);
        await page.context().close();
    });

    it('Space plays and pauses the current player; P goes to it', async () => {
        const page = await openPage(browser, `${server.url}/`);
        await play(page, C);
        await page.focus('#main');
        await page.keyboard.press('Space');
        await eventually(async () => (await audioState(player(page, C))).paused, { message: 'paused by Space' });
        await page.keyboard.press('Space');
        await eventually(async () => !(await audioState(player(page, C))).paused, { message: 'playing again' });
        // Typing a space in the search field types it.
        await page.focus('#search');
        await page.keyboard.press('Space');
        assert.equal(await page.inputValue('#search'), ' ');
        assert.equal((await audioState(player(page, C))).paused, false);
        await page.fill('#search', '');

        await page.focus('#main');
        await page.keyboard.press('p');
        assert.equal(await player(page, C).evaluate((a) => a === document.activeElement), true, 'the file player');
        await page.context().close();
    });

    it('a search opens a collapsed day with a match, and closes it again when cleared', async () => {
        const page = await openPage(browser, `${server.url}/`);
        const older = day(page, '2025-06-14');
        assert.equal(await older.locator('.day-toggle').getAttribute('aria-expanded'), 'false');
        await page.fill('#search', 'garden_0900');
        await eventually(async () => (await older.locator('.day-toggle').getAttribute('aria-expanded')) === 'true', { message: 'the day revealed' });
        assert.equal(await row(page, OLD).isVisible(), true);
        // Escape in the search field clears it.
        await page.press('#search', 'Escape');
        assert.equal(await page.inputValue('#search'), '');
        await eventually(async () => (await older.locator('.day-toggle').getAttribute('aria-expanded')) === 'false', { message: 'the day closed again' });
        await page.context().close();
    });

    it('the Highlights timeline has hours, a break and chips with source and "+N dB"; the reel links and P goes to it', async () => {
        const page = await openPage(browser, `${server.url}/`);
        const newest = day(page, '2025-06-15');
        await newest.locator('button.hl-toggle').click();
        await eventually(async () => /hl=1/.test(page.url()), { message: 'highlights in the URL' });
        const panel = newest.locator('.highlights');
        await panel.locator('svg.timeline').waitFor({ timeout: ANALYSIS_TIMEOUT });
        await eventually(async () => !(await panel.getAttribute('aria-busy')), { timeout: ANALYSIS_TIMEOUT, message: 'highlights to finish' });
        const timeline = panel.locator('svg.timeline');
        assert.ok(await timeline.locator('line.tl-tick').count() >= 2, 'hour ticks');
        assert.equal(await timeline.locator('rect.tl-file').count(), 3, 'a band per file');
        assert.equal(await timeline.locator('rect.tl-break').count(), 1, '08:00 to 12:00 squeezed');
        const labels = await panel.locator('.tl-axis .tl-label').allTextContents();
        assert.ok(labels.includes('08:00') && labels.includes('12:00'), JSON.stringify(labels));
        assert.deepEqual(await panel.locator('.tl-breaks .tl-label').allTextContents(), ['⋯ 4 h']);
        assert.match(await timeline.getAttribute('aria-label'), /4 h with no recordings from 08:00/);

        const chips = panel.locator('.chip');
        assert.equal(await chips.count(), 3);
        for (const text of await chips.locator('.score').allTextContents()) assert.match(text, /^\+\d+ dB$/);
        for (const text of await chips.locator('.tag.chip-source').allTextContents()) assert.equal(text, 'garden');

        await chips.first().click();
        await page.locator('#reel').waitFor();
        const hash = await eventually(async () => {
            const hh = hashOf(page.url());
            return hh.sec !== undefined ? hh : null;
        }, { message: 'the section in the URL' });
        assert.equal(hash.day, '2025-06-15');
        assert.equal(hash.hl, '1');
        assert.ok(await page.locator('#reel-link').isVisible(), 'Copy link in the player bar');
        await page.focus('#main');
        await page.keyboard.press('p');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'reel-audio');

        // The section link opens the reel on that section in a new page.
        const other = await openPage(browser, page.url());
        // The section plays among its file's sections (the day's queue is the highlights' to build).
        await eventually(async () => /^Section \d of \d/.test(await other.textContent('#reel-title')), { timeout: ANALYSIS_TIMEOUT, message: 'the linked section' });
        assert.ok((await other.textContent('#reel-detail')).startsWith(hash.file.split('/').pop()));
        const clip = new URL(await other.locator('#reel-audio').getAttribute('src'), server.url);
        assert.ok(Math.abs(Number(clip.searchParams.get('start')) - Math.max(0, Number(hash.sec) - 2)) < 0.05, 'the same section');
        assert.equal(await other.locator('#reel').isVisible(), true);
        assert.equal(await day(other, '2025-06-15').locator('.highlights').isVisible(), true, 'highlights open as linked');
        await other.context().close();

        await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
        await page.click('#reel-link');
        await eventually(async () => /copied/.test(await page.textContent('#live')), { message: 'copy announced' });
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        assert.equal(hashOf(copied).file, hash.file);
        await page.context().close();
    });

    it('opening a day with several cached analyses shows at most one waveform', async () => {
        // The highlights above analysed every file of 2025-06-15: all three are cached now.
        const page = await openPage(browser, `${server.url}/`);
        const newest = day(page, '2025-06-15');
        const summaries = newest.locator('.analysis-compact');
        await eventually(async () => (await summaries.count()) === 3, { timeout: ANALYSIS_TIMEOUT, message: 'three one-line summaries' });
        assert.equal(await newest.locator('svg.waveform').count(), 0);
        assert.match(await summaries.first().textContent(), /loud section.*cached/);
        await row(page, A).locator('xpath=following-sibling::tr[1]').getByRole('button', { name: /Show waveform/ }).click();
        await newest.locator('svg.waveform').first().waitFor();
        assert.equal(await newest.locator('svg.waveform').count(), 1);
        await page.context().close();
    });
});
