// Loud-section analysis in the UI: waveform, section chips, clips in the player bar, J/K review,
// "Open in file", the detection settings, day highlights with auto-advance, cut downloads, and
// cached waveforms loading only for expanded days (one waveform, not a wall of them). Written
// against the API contract of /api/analyze, /api/highlights, /api/clip and /api/cut.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { day, eventually, gotoReady, launchBrowser, makeArchive, makeTempDir, openPage, removeTempDir, row, startIsrWeb } from './harness.mjs';

const BURSTS = '2025/06/14/rec_090000.wav'; // 30 s, loud bursts at 5–6, 14–15.5, 24–25 s
const ANALYSIS_TIMEOUT = 20000;

function detail(page, name) {
    return page.locator(`tr.detail-row[data-detail-for="${name}"]`);
}

async function clipParams(page) {
    const src = await page.locator('#reel-audio').getAttribute('src');
    const url = new URL(src, 'http://x');
    assert.equal(url.pathname, '/api/clip');
    return { file: url.searchParams.get('file'), start: Number(url.searchParams.get('start')), end: Number(url.searchParams.get('end')) };
}

/** Endpoints the server does not route yet (404 "no such endpoint"), so tests fail fast and say why. */
async function missingEndpoints(url) {
    const missing = [];
    for (const endpoint of ['analyze', 'highlights', 'clip', 'cut']) {
        const r = await fetch(`${url}/api/${endpoint}`);
        const body = await r.text();
        if (r.status === 404 && /no such endpoint/.test(body)) missing.push(`/api/${endpoint}`);
    }
    return missing;
}

describe('analysis and review', () => {
    let dir;
    let server;
    let browser;
    let page;
    let missing = [];

    /** Fails at once, with the reason, when an endpoint the test needs is not there yet. */
    function needs(...endpoints) {
        const absent = endpoints.filter((e) => missing.includes(e));
        assert.deepEqual(absent, [], `isr-web does not implement ${absent.join(', ')} yet`);
    }

    before(async () => {
        dir = makeTempDir();
        makeArchive(dir);
        server = await startIsrWeb(dir);
        missing = await missingEndpoints(server.url);
        browser = await launchBrowser();
        page = await openPage(browser, `${server.url}/`);
    });

    after(async () => {
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    it('analyses a file: waveform with floor and sections, one chip per section', async () => {
        needs('/api/analyze');
        await day(page, '2025-06-14').locator('.day-toggle').click();
        const analyse = row(page, BURSTS).locator('button.analyse');
        await analyse.click();
        assert.equal(await analyse.getAttribute('aria-expanded'), 'true');
        const svg = detail(page, BURSTS).locator('svg.waveform');
        await svg.waitFor({ timeout: ANALYSIS_TIMEOUT });
        assert.equal(await svg.getAttribute('role'), 'img');
        assert.match(await svg.getAttribute('aria-label'), /3 loud sections/);
        assert.equal(await svg.locator('rect.wf-section').count(), 3);
        assert.equal(await svg.locator('path.wf-rms').count(), 1);
        assert.equal(await svg.locator('polyline.wf-floor').count(), 1);

        const chips = detail(page, BURSTS).locator('.chip');
        assert.equal(await chips.count(), 3);
        const texts = await chips.allTextContents();
        assert.match(texts[0], /^09:00:0[45]–09:00:0[67]/);
        assert.match(texts[1], /^09:00:1[34]–09:00:1[56]/);
        assert.match(texts[2], /^09:00:2[34]–09:00:2[56]/);
        assert.deepEqual(page.problems, []);
    });

    it('seeks the file when the waveform is clicked', async () => {
        needs('/api/analyze');
        const svg = detail(page, BURSTS).locator('svg.waveform');
        const box = await svg.boundingBox();
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        const audio = detail(page, BURSTS).locator('.player-panel audio');
        await eventually(() => audio.evaluate((a) => !a.paused && a.currentTime > 14 && a.currentTime < 17), { message: 'playback from the middle' });
        assert.equal(await row(page, BURSTS).locator('button.play').getAttribute('aria-expanded'), 'true');
        await row(page, BURSTS).locator('button.play').click(); // close and pause
    });

    it('plays a section as a clip with pre-roll and pre-fills the cut panel', async () => {
        needs('/api/analyze', '/api/clip');
        await detail(page, BURSTS).locator('.chip').nth(1).click();
        assert.equal(await page.locator('#reel').isVisible(), true);
        assert.match(await page.textContent('#reel-title'), /^Section 2 of 3 · rec_090000\.wav/);
        const clip = await clipParams(page);
        assert.equal(clip.file, BURSTS);
        assert.ok(clip.start >= 11.5 && clip.start <= 12.5, `clip starts about 2 s before the section: ${clip.start}`);
        assert.ok(clip.end >= 15.4 && clip.end <= 17.5, `clip end ${clip.end}`);
        const reel = page.locator('#reel-audio');
        await eventually(() => reel.evaluate((a) => !a.paused && a.currentTime > 0.2), { message: 'the clip to play' });
        const duration = await reel.evaluate((a) => a.duration);
        assert.ok(Math.abs(duration - (clip.end - clip.start)) < 0.5, `clip duration ${duration}`);
        assert.equal(await detail(page, BURSTS).locator('.chip').nth(1).getAttribute('aria-current'), 'true');

        const inputs = detail(page, BURSTS).locator('.cut-panel input.time-input');
        assert.equal(await inputs.nth(0).inputValue(), `0:${String(Math.floor(clip.start)).padStart(2, '0')}`);
        assert.equal(await inputs.nth(1).inputValue(), `0:${String(Math.ceil(clip.end)).padStart(2, '0')}`);
        assert.deepEqual(page.problems, []);
    });

    it('steps through the sections with K, J and the ⏮ ⏭ buttons', async () => {
        needs('/api/analyze', '/api/clip');
        await page.locator('body').press('k');
        await eventually(async () => /^Section 3 of 3/.test(await page.textContent('#reel-title')), { message: 'section 3' });
        assert.ok((await clipParams(page)).start > 20);
        await page.locator('body').press('k');
        assert.match(await page.textContent('#reel-title'), /^Section 3 of 3/);
        await eventually(async () => /last section/.test(await page.textContent('#live')), { message: 'the end announced' });
        await page.locator('body').press('j');
        await page.locator('body').press('j');
        await eventually(async () => /^Section 1 of 3/.test(await page.textContent('#reel-title')), { message: 'section 1' });
        assert.ok((await clipParams(page)).start < 5);
        await page.click('#reel-next');
        await eventually(async () => /^Section 2 of 3/.test(await page.textContent('#reel-title')), { message: 'section 2' });
        await page.click('#reel-prev');
        await eventually(async () => /^Section 1 of 3/.test(await page.textContent('#reel-title')), { message: 'back to 1' });
        await page.click('#reel-next');
    });

    it('opens the full recording at the clip position', async () => {
        needs('/api/analyze', '/api/clip');
        const reel = page.locator('#reel-audio');
        await eventually(() => reel.evaluate((a) => !a.paused && a.currentTime > 0.5), { message: 'the clip to play' });
        const { start } = await clipParams(page);
        await page.click('#reel-open');
        const audio = detail(page, BURSTS).locator('.player-panel audio');
        await eventually(() => audio.evaluate((a, from) => !a.paused && a.currentTime >= from && a.currentTime < from + 6, start),
            { message: 'the file playing at the clip position' });
        assert.equal(await reel.evaluate((a) => a.paused), true);
        await row(page, BURSTS).locator('button.play').click();
    });

    it('re-runs the analysis when the detection settings change', async () => {
        needs('/api/analyze');
        const chips = detail(page, BURSTS).locator('.chip');
        await page.click('#detection-toggle'); // the settings are in the Detection block, closed at first
        await page.fill('#min-gap', '10');
        await page.locator('#min-gap').press('Enter');
        await page.locator('#min-gap').blur();
        // 8 s gaps between the bursts merge with a 10 s grace period: one long section.
        await eventually(async () => (await chips.count()) === 1, { timeout: ANALYSIS_TIMEOUT, message: 'one merged section' });
        assert.match(await detail(page, BURSTS).locator('svg.waveform').getAttribute('aria-label'), /1 loud section\b/);
        assert.match(await page.textContent('#detection-summary'), /grace 10 s/, 'the block says what it is set to');

        await page.fill('#margin', '99');
        await page.locator('#margin').blur();
        assert.match(await page.textContent('#controls-error'), /Margin must be a number from 0 to 60 dB/);
        assert.equal(await page.locator('#margin').getAttribute('aria-invalid'), 'true');
        assert.equal(await chips.count(), 1);

        await page.click('#controls-reset');
        assert.equal(await page.inputValue('#min-gap'), '2');
        await eventually(async () => (await chips.count()) === 3, { timeout: ANALYSIS_TIMEOUT, message: 'three sections again' });
    });

    it('downloads a stream-copied cut', async () => {
        needs('/api/cut');
        const name = BURSTS;
        await row(page, name).locator('button.cut').click();
        const inputs = detail(page, name).locator('.cut-panel input.time-input');
        await inputs.nth(0).fill('0:01');
        await inputs.nth(1).fill('0:03');
        const href = await detail(page, name).locator('a.cut-download').evaluate((a) => a.href);
        assert.equal(new URL(href).pathname, '/api/cut');
        const response = await page.request.get(href);
        assert.equal(response.status(), 200, await response.text().catch(() => ''));
        assert.match(response.headers()['content-disposition'], /^attachment.*rec_090000.*\.wav/);
        const body = await response.body();
        assert.equal(body.subarray(0, 4).toString(), 'RIFF');
        assert.ok(body.length > 16000 * 2 * 1.5 && body.length < 16000 * 2 * 2.5, `about 2 s of 16 kHz mono: ${body.length} bytes`);
    });

    it('shows a day\'s highlights: timeline, chips by score, and an auto-advancing reel', async () => {
        needs('/api/highlights', '/api/clip');
        const newest = day(page, '2025-06-15');
        const toggle = newest.locator('button.hl-toggle');
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        const panel = newest.locator('.highlights');
        const timeline = panel.locator('svg.timeline');
        await timeline.waitFor({ timeout: ANALYSIS_TIMEOUT });
        await eventually(async () => !(await panel.getAttribute('aria-busy')), { timeout: ANALYSIS_TIMEOUT, message: 'highlights to finish' });
        assert.equal(await timeline.getAttribute('role'), 'img');
        assert.ok(await timeline.locator('rect.tl-file').count() >= 1);
        assert.equal(await timeline.locator('rect.tl-section').count(), 2, 'the two bursts of rec_080000.flac');
        assert.equal(await panel.locator('.tl-labels span').first().textContent(), '08:00');

        const chips = panel.locator('.chip');
        assert.equal(await chips.count(), 2);
        const scores = (await chips.locator('.score').allTextContents()).map((t) => Number(t.replace('−', '-').replace(/[^\d.-]/g, '')));
        assert.ok(scores[0] >= scores[1], `chips by score: ${scores}`);

        await panel.getByRole('button', { name: /Review all/ }).click();
        assert.equal(await page.isChecked('#reel-auto'), true, 'reviewing all turns auto-advance on');
        await eventually(async () => /^Section 1 of 2 · Highlights 2025-06-15/.test(await page.textContent('#reel-title')), { message: 'the first highlight' });
        assert.equal((await clipParams(page)).file, '2025/06/15/rec_080000.flac');
        // The first clip (about 4 s) ends and the reel moves on by itself.
        await eventually(async () => /^Section 2 of 2/.test(await page.textContent('#reel-title')), { timeout: 12000, message: 'auto-advance' });
        await page.click('#reel-close');
        assert.equal(await page.locator('#reel').isVisible(), false);
        assert.deepEqual(page.problems, []);
    });

    it('loads cached waveforms only for expanded days', async () => {
        needs('/api/analyze');
        const requests = [];
        const listen = (r) => {
            const url = new URL(r.url());
            if (/\/api\/(analyze|highlights|files)/.test(url.pathname)) requests.push({ path: url.pathname, file: url.searchParams.get('file') });
        };
        page.on('request', listen);
        try {
            await gotoReady(page, `${server.url}/`);
            await page.waitForTimeout(500);
            assert.deepEqual(requests.filter((r) => r.path === '/api/files').length, 1);
            assert.deepEqual(requests.filter((r) => r.path === '/api/highlights'), []);
            // The older day is collapsed: its cached analysis is not fetched (the newest day's
            // files were analysed by the highlights above, so theirs may load).
            assert.deepEqual(requests.filter((r) => r.path === '/api/analyze' && !r.file.startsWith('2025/06/15/')), []);
            // ... but as one line each, not a wall of three waveforms.
            const newest = day(page, '2025-06-15');
            await eventually(async () => (await newest.locator('.analysis-compact').count()) === 3, { message: 'one-line summaries' });
            assert.equal(await newest.locator('svg.waveform').count(), 0);
            // The older day holds one cached analysis: that one opens as a waveform.
            await day(page, '2025-06-14').locator('.day-toggle').click();
            await detail(page, BURSTS).locator('svg.waveform').waitFor({ timeout: 5000 });
            assert.ok(requests.some((r) => r.path === '/api/analyze' && r.file === BURSTS));
            assert.equal(await row(page, BURSTS).locator('button.analyse').getAttribute('aria-expanded'), 'true');
            assert.match(await detail(page, BURSTS).locator('svg.waveform').getAttribute('aria-label'), /3 loud sections/);
        } finally {
            page.off('request', listen);
        }
    });
});
