// Waveform zoom (buttons, keys, drag) with finer levels from /api/analyze?from&to&points, its time
// axis, the section shading drawn over the level bars, and spectrograms of a zoomed span and of a
// clip in the section player, computed in the browser.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { axeFindings, day, eventually, gotoReady, launchBrowser, makeArchive, makeTempDir, openPage, removeTempDir, row, startIsrWeb } from './harness.mjs';

// 90 s at 44.1 kHz: quiet pink noise with 1 kHz bursts at 5–6, 30–32 and 70–71 s.
const FILE = '2025/06/14/rec_090000.wav';
const ARCHIVE = [{ name: FILE, seconds: 90, rate: 44100, bursts: [[5, 6], [30, 32], [70, 71]] }];
const ANALYSIS_TIMEOUT = 20000;

function detail(page) {
    return page.locator(`tr.detail-row[data-detail-for="${FILE}"]`);
}

async function view(svg) {
    return svg.evaluate((el) => ({
        from: Number(el.dataset.from),
        to: Number(el.dataset.to),
        points: Number(el.dataset.points),
        pointSeconds: Number(el.dataset.pointSeconds),
    }));
}

/** Back to the whole file, whatever an earlier (failed) test left. */
async function showWhole(page) {
    const reset = detail(page).locator('button.zoom-reset');
    if (!(await reset.isDisabled())) await reset.click();
    await eventually(async () => (await view(detail(page).locator('svg.waveform'))).from === 0, { message: 'the whole file' });
}

async function axisLabels(page) {
    return detail(page).locator('.axis-holder .tick').allTextContents();
}

/** Brightness (R+G+B) per canvas row at the given frequencies: the brightest column of each row. */
async function rowPeaks(canvas, frequencies) {
    return canvas.evaluate((el, fs) => {
        const fmin = Number(el.dataset.fmin);
        const fmax = Number(el.dataset.fmax);
        const data = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
        return fs.map((f) => {
            const y = Math.round((el.height - 1) * (1 - Math.log(f / fmin) / Math.log(fmax / fmin)));
            let best = 0;
            for (let x = 0; x < el.width; ++x) {
                const i = (y * el.width + x) * 4;
                best = Math.max(best, data[i] + data[i + 1] + data[i + 2]);
            }
            return best;
        });
    }, frequencies);
}

/** The variance of the canvas's brightness: 0 for a blank or flat canvas. */
async function pixelVariance(canvas) {
    return canvas.evaluate((el) => {
        const data = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
        let sum = 0;
        let squares = 0;
        const n = data.length / 4;
        for (let i = 0; i < data.length; i += 4) {
            const v = data[i] + data[i + 1] + data[i + 2];
            sum += v;
            squares += v * v;
        }
        return squares / n - (sum / n) ** 2;
    });
}

describe('waveform zoom and spectrograms', () => {
    let dir;
    let server;
    let browser;
    let page;
    const spans = []; // the from/to/points of each /api/analyze request for a span

    before(async () => {
        dir = makeTempDir();
        makeArchive(dir, ARCHIVE);
        server = await startIsrWeb(dir);
        browser = await launchBrowser();
        page = await openPage(browser, `${server.url}/`);
        page.on('request', (r) => {
            const url = new URL(r.url());
            if (url.pathname === '/api/analyze' && url.searchParams.has('from')) {
                spans.push({ from: Number(url.searchParams.get('from')), to: Number(url.searchParams.get('to')), points: Number(url.searchParams.get('points')) });
            }
        });
    });

    after(async () => {
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    it('draws the loud-section shading over the level bars, legend pairs kept together', async () => {
        // The only day is the newest: open already.
        const toggle = day(page, '2025-06-14').locator('.day-toggle');
        if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
        const analyse = row(page, FILE).locator('button.analyse');
        if (await analyse.getAttribute('aria-expanded') !== 'true') await analyse.click();
        const svg = detail(page).locator('svg.waveform');
        await svg.waitFor({ timeout: ANALYSIS_TIMEOUT });
        assert.equal(await svg.locator('rect.wf-section').count(), 3);
        const order = await svg.evaluate((el) => [...el.children].map((c) => c.getAttribute('class')));
        assert.ok(order.indexOf('wf-rms') < order.indexOf('wf-section'), `shading after the bars: ${order.join(' ')}`);
        assert.equal(await detail(page).locator('.legend .legend-item').count(), 4);
        const whole = await view(svg);
        assert.equal(whole.from, 0);
        assert.ok(Math.abs(whole.to - 90) < 0.1, `the whole file: ${whole.to}`);
        assert.equal(await detail(page).locator('button.zoom-out').isDisabled(), true);
        assert.equal(await detail(page).locator('button.zoom-reset').isDisabled(), true);
        assert.ok((await axisLabels(page)).length >= 3);
        assert.deepEqual(page.problems, []);
    });

    it('zooms in with the buttons and fetches finer levels, down to 100 ms per bar', async () => {
        const svg = detail(page).locator('svg.waveform');
        const before = await view(svg);
        const labelsBefore = await axisLabels(page);
        assert.ok(before.pointSeconds > 0.1, `the whole file is coarser than 100 ms: ${before.pointSeconds}`);
        await detail(page).locator('button.zoom-in').click();
        await detail(page).locator('button.zoom-in').click();
        await eventually(async () => {
            const v = await view(detail(page).locator('svg.waveform'));
            return Math.abs(v.to - v.from - 22.5) < 0.01 && Math.abs(v.pointSeconds - 0.1) < 1e-9 && v;
        }, { message: 'a 22.5 s span at 100 ms per bar' });
        const zoomed = await view(detail(page).locator('svg.waveform'));
        assert.ok(Math.abs(zoomed.from - 33.75) < 0.01, `around the centre: ${zoomed.from}`);
        // 225 windows; the span starts mid-window (33.75 s), so 226 bars, the first from 33.7 s.
        assert.equal(zoomed.points, 226);
        const last = spans.at(-1);
        assert.ok(Math.abs(last.from - 33.75) < 0.01 && Math.abs(last.to - 56.25) < 0.01, JSON.stringify(last));
        assert.ok(last.points >= 100 && last.points <= 4000, `points ${last.points}`);
        const labels = await axisLabels(page);
        assert.notDeepEqual(labels, labelsBefore);
        assert.ok(labels.every((l) => /^09:00:(3[4-9]|[45]\d)$/.test(l)), `wall-clock labels in the span: ${labels}`);
        assert.match(await detail(page).locator('.zoom-span').textContent(), /09:00:33–09:00:56/);
        assert.equal(await detail(page).locator('button.zoom-reset').isDisabled(), false);
        assert.deepEqual(page.problems, []);
    });

    it('zooms and pans with the keys when the waveform has focus', async () => {
        const wrap = detail(page).locator('.waveform-wrap');
        await wrap.focus();
        await wrap.press('+');
        await eventually(async () => Math.abs((await view(detail(page).locator('svg.waveform'))).to - (await view(detail(page).locator('svg.waveform'))).from - 11.25) < 0.01, { message: '+ zooms in' });
        const a = await view(detail(page).locator('svg.waveform'));
        await wrap.press('ArrowRight');
        await eventually(async () => (await view(detail(page).locator('svg.waveform'))).from > a.from + 2, { message: '→ pans' });
        await wrap.press('ArrowLeft');
        await eventually(async () => Math.abs((await view(detail(page).locator('svg.waveform'))).from - a.from) < 0.01, { message: '← pans back' });
        await wrap.press('-');
        await eventually(async () => {
            const v = await view(detail(page).locator('svg.waveform'));
            return Math.abs(v.to - v.from - 22.5) < 0.01;
        }, { message: '- zooms out' });
        // A zoom into a span with a section shows its shading, and sub-second labels at 1 s.
        for (let i = 0; i < 5; ++i) await wrap.press('=');
        await eventually(async () => {
            const v = await view(detail(page).locator('svg.waveform'));
            return Math.abs(v.to - v.from - 1) < 0.01 && Math.abs(v.pointSeconds - 0.1) < 1e-9 && (v.points === 10 || v.points === 11);
        }, { message: 'the shortest span: 1 s in bars of 100 ms' });
        const shortest = await view(detail(page).locator('svg.waveform'));
        assert.ok(Math.abs((shortest.from + shortest.to) / 2 - 45) < 0.01, `around the same centre: ${JSON.stringify(shortest)}`);
        assert.ok((await axisLabels(page)).some((l) => /\.\d$/.test(l)), `tenths on a 1 s axis: ${await axisLabels(page)}`);
        assert.equal(await detail(page).locator('button.zoom-in').isDisabled(), true);
        await wrap.press('0');
        await eventually(async () => {
            const v = await view(detail(page).locator('svg.waveform'));
            return v.from === 0 && Math.abs(v.to - 90) < 0.1;
        }, { message: '0 shows the whole file' });
        assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('waveform-wrap')), true, 'focus stays on the waveform');
        assert.match(await page.textContent('#live'), /whole file/);
        assert.deepEqual(page.problems, []);
    });

    it('zooms to a dragged span; a click still seeks', async () => {
        await showWhole(page);
        const svg = detail(page).locator('svg.waveform');
        const box = await svg.boundingBox();
        const y = box.y + box.height / 2;
        // 27–36 s of 90 s.
        await page.mouse.move(box.x + box.width * 0.3, y);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width * 0.35, y, { steps: 3 });
        await page.mouse.move(box.x + box.width * 0.4, y, { steps: 3 });
        await page.mouse.up();
        await eventually(async () => {
            const v = await view(detail(page).locator('svg.waveform'));
            return Math.abs(v.from - 27) < 0.3 && Math.abs(v.to - 36) < 0.3 && Math.abs(v.pointSeconds - 0.1) < 1e-9;
        }, { message: 'the dragged span at 100 ms' });
        const zoomed = detail(page).locator('svg.waveform');
        assert.equal(await zoomed.locator('rect.wf-section').count(), 1, 'the 30–32 s burst');
        const v = await view(zoomed);
        assert.ok(Math.abs(v.points - (v.to - v.from) / 0.1) <= 2, `one bar per 100 ms: ${v.points}`);

        const zb = await zoomed.boundingBox();
        await page.mouse.click(zb.x + zb.width / 2, zb.y + zb.height / 2);
        const audio = detail(page).locator('.player-panel audio');
        const middle = (v.from + v.to) / 2;
        await eventually(() => audio.evaluate((a, m) => !a.paused && a.currentTime > m - 0.5 && a.currentTime < m + 3, middle), { message: 'playback from the clicked point' });
        await eventually(() => zoomed.locator('line.wf-playhead').evaluate((l) => l.getAttribute('visibility') === 'visible'), { message: 'the playhead in the zoomed view' });
        await row(page, FILE).locator('button.play').click(); // close and pause
        await detail(page).locator('button.zoom-reset').click();
        assert.equal((await view(detail(page).locator('svg.waveform'))).from, 0);
        assert.deepEqual(page.problems, []);
    });

    it('draws the spectrogram of the span on show, a 1 kHz burst at its row (timed for 60 s)', async () => {
        await showWhole(page);
        // 0–60 s of the file.
        const svg = detail(page).locator('svg.waveform');
        const box = await svg.boundingBox();
        const y = box.y + box.height / 2;
        await page.mouse.move(box.x + 1, y);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 3, y, { steps: 3 });
        await page.mouse.move(box.x + (box.width * 60) / 90, y, { steps: 3 });
        await page.mouse.up();
        await eventually(async () => {
            const v = await view(detail(page).locator('svg.waveform'));
            return v.from < 0.2 && Math.abs(v.to - 60) < 0.3;
        }, { message: 'the first minute' });
        // The page stays responsive while the FFT runs: the longest gap between 10 ms timer ticks.
        await page.evaluate(() => {
            window.__gaps = { max: 0, last: performance.now() };
            window.__gapTimer = setInterval(() => {
                const now = performance.now();
                window.__gaps.max = Math.max(window.__gaps.max, now - window.__gaps.last);
                window.__gaps.last = now;
            }, 10);
        });
        const toggle = detail(page).locator('button.spectrogram-toggle');
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        const figure = detail(page).locator('.spectro-panel figure.spectrogram');
        await figure.waitFor({ timeout: 30000 });
        const maxGap = await page.evaluate(() => {
            clearInterval(window.__gapTimer);
            return window.__gaps.max;
        });
        const timing = await figure.evaluate((f) => ({ ...f.dataset }));
        console.log(`spectrogram of ${timing.seconds} s at 44.1 kHz: fetch ${timing.fetchMs} ms, decode ${timing.decodeMs} ms, `
            + `FFT ${timing.fftMs} ms (${timing.fftSize} points), total ${timing.totalMs} ms; longest main-thread stall ${Math.round(maxGap)} ms`);
        assert.ok(Math.abs(Number(timing.seconds) - 60) < 0.5, `a 60 s clip: ${timing.seconds}`);
        assert.ok(maxGap < 300, `the page kept responding: longest stall ${maxGap} ms`);

        const canvas = figure.locator('canvas');
        assert.equal(await canvas.getAttribute('role'), 'img');
        assert.match(await canvas.getAttribute('aria-label'), /^Spectrogram of rec_090000\.wav, 09:00:00 to 09:0(0:59|1:00): .*logarithmic.*Strongest around (9[89]\d Hz|1(\.0)? kHz)/);
        assert.ok(await pixelVariance(canvas) > 0, 'the canvas is not blank');
        const [tone, below, above] = await rowPeaks(canvas, [1000, 600, 1700]);
        assert.ok(tone > below + 100 && tone > above + 100, `the 1 kHz row stands out: ${tone} vs ${below}, ${above}`);
        const freq = await figure.locator('.sg-freq .tick').allTextContents();
        for (const label of ['100', '1k', '10k']) assert.ok(freq.includes(label), `frequency label ${label}: ${freq}`);
        assert.deepEqual(await axeFindings(page, { include: [`tr.detail-row[data-detail-for="${FILE}"]`] }), []);
        const times = await figure.locator('.time-axis .tick').allTextContents();
        assert.ok(times.length >= 3 && times.every((t) => /^09:0[01]:\d\d$/.test(t)), `time labels: ${times}`);
        assert.deepEqual(page.problems, []);
    });

    it('draws the spectrogram of a clip in the section player', async () => {
        await detail(page).locator('.chip').nth(1).click();
        assert.equal(await page.locator('#reel').isVisible(), true);
        const toggle = page.locator('#reel-spectrogram');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        const canvas = page.locator('#reel-spectrogram-panel figure.spectrogram canvas');
        await canvas.waitFor({ timeout: 20000 });
        assert.ok(await pixelVariance(canvas) > 0, 'the canvas is not blank');
        assert.match(await canvas.getAttribute('aria-label'), /^Spectrogram of rec_090000\.wav, 09:00:2[89] to 09:00:3[34]: .*Strongest around (9[89]\d Hz|1(\.0)? kHz)/);
        const [tone, below] = await rowPeaks(canvas, [1000, 600]);
        assert.ok(tone > below + 100, `the 1 kHz row stands out: ${tone} vs ${below}`);
        assert.deepEqual(await axeFindings(page, { include: ['#reel'] }), []);
        // The next section redraws it for its clip.
        await page.click('#reel-next');
        await eventually(async () => /09:01:0[89] to 09:01:1[23]/.test(await page.locator('#reel-spectrogram-panel canvas').getAttribute('aria-label') ?? ''),
            { timeout: 20000, message: 'the next clip\'s spectrogram' });
        await toggle.click();
        assert.equal(await page.locator('#reel-spectrogram-panel').isVisible(), false);
        await page.click('#reel-close');
        assert.deepEqual(page.problems, []);
    });
});
