// The main views in both colour schemes, on a desktop and a phone, checked with axe-core (every
// WCAG 2.x A/AA rule and axe's best practices; a serious or critical finding fails) and saved as
// screenshots: the start page, an open day with a player and a waveform, a day's Highlights with
// the section player, and the delete dialog. The screenshots are the test's artifacts (the
// README's come from here): $ISR_BROWSER_ARTIFACTS, default build/browser-artifacts.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import {
    axeFindings, day, eventually, keepStatusFresh, launchBrowser, makeArchive, makeTempDir, openPage, removeTempDir,
    row, source, startIsrWeb,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = process.env.ISR_BROWSER_ARTIFACTS || path.resolve(here, '../../build/browser-artifacts');

const DAY = '2026-11-29';
// Two sources as isrd names them, a morning of each: loud moments in quiet noise.
const ARCHIVE = [
    { name: `garden/2026/11/29/garden_060000.flac`, seconds: 40, bursts: [[6, 7.5], [18, 19], [30, 33]] },
    { name: `garden/2026/11/29/garden_070000.flac`, seconds: 20, bursts: [[3, 4], [11, 12.5]] },
    { name: `street/2026/11/29/street_060000.mp3`, seconds: 30, bursts: [[9, 10], [21, 24]] },
    { name: `street/2026/11/29/street_063000.mp3`, seconds: 12, tone: 220 },
    { name: `garden/2026/11/28/garden_210000.flac`, seconds: 20, bursts: [[8, 9]] },
];
const FIRST = ARCHIVE[0].name;

const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 360, height: 740 } };

const AXE_RULES = { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] };

describe('accessibility and screenshots of the main views', () => {
    let dir;
    let server;
    let browser;
    let stopStatus;

    before(async () => {
        mkdirSync(ARTIFACTS, { recursive: true });
        dir = makeTempDir();
        makeArchive(dir, ARCHIVE);
        stopStatus = keepStatusFresh(dir, () => ({
            sources: [
                source({ name: 'garden', level_dbfs: -41, peak_dbfs: -28 }),
                source({ name: 'street', type: 'stream', format: 'mp3', input: 'http://radio.example/street.mp3', level_dbfs: -33, peak_dbfs: -19, sample_rate: 44100, channels: 2, bitrate_kbps: 128 }),
            ],
        }));
        server = await startIsrWeb(dir, ['--status', path.join(dir, 'status.json')]);
        browser = await launchBrowser();
    });

    after(async () => {
        stopStatus?.();
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    for (const colorScheme of ['light', 'dark']) {
        for (const [device, viewport] of Object.entries(VIEWPORTS)) {
            it(`${device}, ${colorScheme}: no serious or critical axe findings on the four main views`, async () => {
                const page = await openPage(browser, `${server.url}/`, { viewport, colorScheme });
                // Every view is checked before the test fails: one run shows all there is to fix.
                const findings = [];
                const check = async (view) => {
                    await page.waitForTimeout(300); // transitions settle before the picture
                    await page.screenshot({ path: path.join(ARTIFACTS, `${view}-${device}-${colorScheme}.png`) });
                    findings.push(...(await axeFindings(page, { runOnly: AXE_RULES, impacts: ['serious', 'critical'] })).map((f) => `${view}: ${f}`));
                };
                try {
                    await eventually(async () => /running/i.test(await page.textContent('#recorder-toggle')), { message: 'the recorder status' });
                    await check('start');

                    // An open day: the first file's player and its waveform.
                    const first = row(page, FIRST);
                    await first.locator('button.analyse').click();
                    await page.locator(`tr.detail-row[data-detail-for="${FIRST}"] svg.waveform`).waitFor();
                    await first.locator('button.play').click();
                    await page.locator(`tr.detail-row[data-detail-for="${FIRST}"] audio`).waitFor();
                    await first.scrollIntoViewIfNeeded();
                    await check('day');

                    // Highlights of the day, a section playing in the player bar.
                    await first.locator('button.play').click(); // closes that player
                    await day(page, DAY).locator('button.hl-toggle').click();
                    const chip = day(page, DAY).locator('.highlights .chip').first();
                    await chip.waitFor();
                    await chip.click();
                    await page.locator('#reel:not([hidden])').waitFor();
                    await day(page, DAY).locator('.highlights').scrollIntoViewIfNeeded();
                    await check('highlights');
                    await page.click('#reel-close');

                    // The delete dialog.
                    await row(page, ARCHIVE[1].name).locator('button.delete').click();
                    await page.locator('dialog#confirm[open]').waitFor();
                    await check('delete');
                    await page.keyboard.press('Escape');
                    assert.equal(await page.locator('dialog#confirm[open]').count(), 0);
                    assert.deepEqual(findings, []);
                    assert.deepEqual(page.problems, []);
                } finally {
                    await page.context().close();
                }
            });
        }
    }
});
