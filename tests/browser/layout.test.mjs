// The page's layout on a phone and a desktop: recordings on the first screen, the recorder strip
// (collapsed, still loud about a source in trouble), one tab stop per file row with arrow keys,
// ISO date filters, and long names cut in the middle with their extension intact.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
    ARCHIVE, axeFindings, day, eventually, keepStatusFresh, launchBrowser, makeArchive, makeTempDir, openPage, removeTempDir,
    row, source, startIsrWeb,
} from './harness.mjs';

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const LONG = 'garden/2025/06/16/garden_2025-06-16_a_very_long_recording_name_from_a_replay_save_150000.flac';

const healthy = () => ({
    active: [],
    sources: [source({ name: 'garden' }), source({ name: 'radio1', type: 'stream', input: 'http://127.0.0.1:9/live' })],
});
const failing = () => ({
    active: [],
    sources: [
        source({ name: 'garden' }),
        source({
            name: 'radio1', type: 'stream', state: 'retrying', level_dbfs: null, peak_dbfs: null,
            error: 'connection refused by 127.0.0.1:9 (retrying in 5 s)', input: 'http://127.0.0.1:9/live',
        }),
    ],
});

/** Layout facts of a page: horizontal overflow and where the first file row starts. */
function measure(page) {
    return page.evaluate(() => {
        const first = document.querySelector('tr.file-row:not([hidden])');
        return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            firstRowTop: first ? first.getBoundingClientRect().top : Infinity,
        };
    });
}

describe('layout', () => {
    let dir;
    let server;
    let browser;
    let status = healthy();
    let stopFresh = () => {};

    before(async () => {
        dir = makeTempDir();
        makeArchive(dir, [...ARCHIVE, { name: LONG, seconds: 3, tone: 300 }]);
        stopFresh = keepStatusFresh(dir, () => status);
        server = await startIsrWeb(dir);
        browser = await launchBrowser();
    });

    after(async () => {
        stopFresh();
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        it(`shows recordings on the first screen of a ${label}, healthy or with a failing source`, async () => {
            status = healthy();
            const page = await openPage(browser, `${server.url}/?poll=1`, { viewport });
            try {
                const strip = page.locator('#recorder-toggle');
                await eventually(async () => /Recorder running/.test(await strip.textContent()), { message: 'a running recorder' });
                assert.equal(await strip.getAttribute('aria-expanded'), 'false');
                let m = await measure(page);
                assert.ok(m.scrollWidth <= m.innerWidth, `no horizontal scrolling (${m.scrollWidth} > ${m.innerWidth})`);
                assert.ok(m.firstRowTop < viewport.height, `first row at ${m.firstRowTop} px`);

                status = failing();
                await eventually(async () => /radio1/.test(await strip.textContent()), { message: 'the failing source in the strip' });
                // Loud while collapsed: the warning style, the icon, the source and its error, all on screen.
                assert.equal(await strip.getAttribute('aria-expanded'), 'false');
                assert.equal(await strip.getAttribute('data-kind'), 'warn');
                assert.match(await strip.textContent(), /⚠ 1 source not recording/);
                assert.match(await strip.textContent(), /radio1 retrying — connection refused/);
                const box = await page.locator('#recorder-state .recorder-text').boundingBox();
                assert.ok(box && box.width > 50 && box.y + box.height <= viewport.height, 'the error text is on screen');
                m = await measure(page);
                assert.ok(m.scrollWidth <= m.innerWidth, `no horizontal scrolling with a failing source (${m.scrollWidth})`);
                assert.ok(m.firstRowTop < viewport.height, `first row at ${m.firstRowTop} px with a failing source`);
                assert.deepEqual(page.problems, []);
            } finally {
                status = healthy();
                await page.context().close();
            }
        });
    }

    it('expands and collapses the recorder strip', async () => {
        const page = await openPage(browser, `${server.url}/?poll=1`, { viewport: PHONE });
        try {
            const strip = page.locator('#recorder-toggle');
            const card = page.locator('li.source[data-source="garden"]');
            await eventually(() => page.locator('li.source').count(), { message: 'the source cards' });
            assert.equal(await card.isVisible(), false);
            await strip.click();
            assert.equal(await strip.getAttribute('aria-expanded'), 'true');
            assert.equal(await card.isVisible(), true);
            assert.equal(await card.locator('[role="meter"]').isVisible(), true);
            assert.equal(await page.locator('#storage').isVisible(), true);
            const m = await measure(page);
            assert.ok(m.scrollWidth <= m.innerWidth, `expanded, no horizontal scrolling (${m.scrollWidth})`);
            await page.keyboard.press('Enter'); // the toggle kept focus
            assert.equal(await strip.getAttribute('aria-expanded'), 'false');
            assert.equal(await card.isVisible(), false);
            assert.deepEqual(page.problems, []);
        } finally {
            await page.context().close();
        }
    });

    it('has one tab stop per row, moved with the arrow keys, Home and End', async () => {
        const page = await openPage(browser, `${server.url}/`, { viewport: DESKTOP });
        try {
            await day(page, '2025-06-15').locator('.day-toggle').click();
            const stops = await page.locator('tr.file-row:not([hidden])').evaluateAll((rows) => rows.map((r) => ({
                zero: r.querySelectorAll('[tabindex="0"]').length,
                first: r.querySelector('[tabindex="0"]')?.classList.contains('play'),
                focusable: [...r.querySelectorAll('button, a[href]')].filter((e) => e.tabIndex >= 0).length,
            })));
            assert.ok(stops.length >= 3);
            for (const s of stops) assert.deepEqual(s, { zero: 1, first: true, focusable: 1 });

            const rows = day(page, '2025-06-15').locator('tr.file-row');
            const activeLabel = () => page.evaluate(() => document.activeElement.getAttribute('aria-label'));
            const firstName = (await rows.nth(0).getAttribute('data-name')).split('/').pop();
            const secondName = (await rows.nth(1).getAttribute('data-name')).split('/').pop();
            await rows.nth(0).locator('button.play').focus();
            await page.keyboard.press('ArrowRight');
            assert.equal(await activeLabel(), `Download ${firstName}`);
            await page.keyboard.press('End');
            assert.equal(await activeLabel(), `Delete ${firstName}`);
            await page.keyboard.press('Home');
            assert.equal(await activeLabel(), `Play ${firstName}`);
            await page.keyboard.press('ArrowLeft'); // stays at the first control
            assert.equal(await activeLabel(), `Play ${firstName}`);
            await page.keyboard.press('ArrowRight');
            await page.keyboard.press('ArrowRight');
            assert.equal(await activeLabel(), `Cut ${firstName}`);
            await page.keyboard.press('ArrowDown');
            assert.equal(await activeLabel(), `Cut ${secondName}`, 'the same control in the next row');
            await page.keyboard.press('ArrowUp');
            assert.equal(await activeLabel(), `Cut ${firstName}`);
            // The last focused control is now the row's only tab stop.
            assert.equal(await rows.nth(0).locator('[tabindex="0"]').getAttribute('aria-label'), `Cut ${firstName}`);
            assert.equal(await rows.nth(0).locator('[tabindex="0"]').count(), 1);

            // Tab leaves the row: to the next row's stop, not to the next button.
            await page.keyboard.press('Tab');
            assert.equal(await activeLabel(), `Cut ${secondName}`, 'the stop that row remembers');
            await page.keyboard.press('Shift+Tab');
            assert.equal(await activeLabel(), `Cut ${firstName}`);
            assert.deepEqual(page.problems, []);
        } finally {
            await page.context().close();
        }
    });

    it('filters by ISO dates and rejects other spellings with a message', async () => {
        const page = await openPage(browser, `${server.url}/`, { viewport: PHONE });
        try {
            const from = page.locator('#date-from');
            assert.equal(await from.getAttribute('placeholder'), 'YYYY-MM-DD');
            assert.equal(await from.getAttribute('inputmode'), 'numeric');
            assert.equal(await page.textContent('#count'), '6 recordings');
            await from.fill('2025-06-15');
            await eventually(async () => (await page.textContent('#count')) === '4 of 6 shown', { message: 'the From filter' });
            assert.equal(await from.getAttribute('aria-invalid'), 'false');

            await from.fill('2025/06/15');
            await from.press('Tab');
            assert.equal(await from.getAttribute('aria-invalid'), 'true');
            assert.equal(await page.locator('#date-error').isVisible(), true);
            assert.match(await page.textContent('#date-error'), /From: "2025\/06\/15" is not a date; write it as YYYY-MM-DD/);
            assert.equal(await page.textContent('#count'), '6 recordings', 'an invalid date filters nothing');

            await page.fill('#date-to', '2025-02-30'); // no such day
            await page.locator('#date-to').press('Tab');
            assert.equal(await page.locator('#date-to').getAttribute('aria-invalid'), 'true');
            await from.fill('');
            await page.fill('#date-to', '2025-06-14');
            await page.locator('#date-to').press('Tab');
            assert.equal(await page.textContent('#count'), '2 of 6 shown');
            assert.equal(await page.locator('#date-error').isVisible(), false);
            assert.deepEqual(page.problems, []);
        } finally {
            await page.context().close();
        }
    });

    it('shortens a long name in the middle on a phone, never inside its extension', async () => {
        const page = await openPage(browser, `${server.url}/`, { viewport: PHONE });
        try {
            const r = row(page, LONG);
            assert.equal(await r.isVisible(), true);
            const facts = await r.evaluate((el) => {
                const head = el.querySelector('.base-head');
                const tail = el.querySelector('.base-tail');
                const line = el.querySelector('.name-line').getBoundingClientRect();
                const t = tail.getBoundingClientRect();
                return {
                    cut: head.scrollWidth > head.clientWidth,
                    tail: tail.textContent,
                    tailInside: t.left >= line.left && t.right <= line.right + 0.5 && t.width > 0 && t.bottom <= line.bottom + 0.5,
                    // Too long even when cut: the name leaves the line whole (its tooltip and
                    // the screen reader's text keep it), rather than losing its extension.
                    leftWhole: el.querySelector('.base').getBoundingClientRect().top >= line.bottom - 0.5,
                    rects: JSON.stringify({ line: [line.left, line.right], tail: [t.left, t.right], cells: [...el.children].map((c) => Math.round(c.getBoundingClientRect().width)) }),
                    rowHeight: el.getBoundingClientRect().height,
                    tag: el.querySelector('.source-tag')?.textContent,
                    title: el.querySelector('td.name').title,
                    label: el.querySelector('button.play').getAttribute('aria-label'),
                };
            });
            assert.match(facts.tail, /\.flac$/);
            assert.ok(facts.leftWhole || (facts.cut && facts.tailInside),
                `cut in the middle with the extension fully shown, or not shown at all: ${facts.rects}`);
            assert.ok(facts.rowHeight < 48, `one line (${facts.rowHeight} px)`);
            assert.equal(facts.tag, 'garden');
            assert.match(facts.title, new RegExp(`^${LONG}\\n`));
            assert.equal(facts.label, `Play ${LONG.split('/').pop()}`);
            const m = await measure(page);
            assert.ok(m.scrollWidth <= m.innerWidth, `no horizontal scrolling (${m.scrollWidth})`);
        } finally {
            await page.context().close();
        }
    });

    for (const colorScheme of ['light', 'dark']) {
        it(`passes axe's contrast and target-size checks in the ${colorScheme} scheme, phone and desktop`, async () => {
            for (const viewport of [PHONE, DESKTOP]) {
                const page = await openPage(browser, `${server.url}/?poll=1`, { viewport, colorScheme });
                try {
                    await eventually(async () => /Recorder running/.test(await page.textContent('#recorder-toggle')), { message: 'the status' });
                    await page.click('#recorder-toggle');
                    await page.click('#detection-toggle');
                    await day(page, '2025-06-15').locator('.day-toggle').click();
                    assert.deepEqual(await axeFindings(page, { runOnly: ['color-contrast', 'target-size'] }), [], `${viewport.width} px, expanded`);
                    // The delete dialog's own buttons (its Delete was 2.5:1 in the dark scheme).
                    await row(page, '2025/06/15/rec_130000.wav').locator('button.delete').click();
                    assert.deepEqual(await axeFindings(page, { runOnly: ['color-contrast', 'target-size'] }), [], `${viewport.width} px, delete dialog`);
                    await page.keyboard.press('Escape');
                    assert.deepEqual(page.problems, []);
                } finally {
                    await page.context().close();
                }
            }
        });
    }
});
