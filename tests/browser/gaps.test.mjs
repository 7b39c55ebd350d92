// The continuity ledger and alarms in the UI: an alarm on the recorder card (from status.json),
// the ledger's gaps of a day listed with their reason (and "no gaps" for a day without), and
// drawn as holes on the Highlights timeline with the reason on hover.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
    day, eventually, isoNow, keepStatusFresh, launchBrowser, makeArchive, makeTempDir, openPage,
    removeTempDir, source, startIsrWeb,
} from './harness.mjs';

const ANALYSIS_TIMEOUT = 30000;

// isr-web runs with --timezone UTC: rec_080000.flac starts at 08:00:00 UTC on 2025-06-15.
const LEDGER = [
    { time: '2025-06-15T07:59:58.000+00:00', event: 'start', version: '0.1.0', pid: 1, sources: 1 },
    {
        time: '2025-06-15T08:00:10.000+00:00', event: 'gap', source: 'garden', reason: 'reconnect',
        start: '2025-06-15T08:00:06.000+00:00', seconds: 4, detail: 'no data for 15 s',
    },
    { time: '2025-06-15T08:01:00.000+00:00', event: 'alarm', source: 'garden', kind: 'silence', since: '2025-06-15T08:00:30.000+00:00', message: 'quiet' },
];

describe('ledger gaps and alarms', () => {
    let dir;
    let server;
    let browser;
    let page;
    let stopFresh = () => {};

    before(async () => {
        dir = makeTempDir();
        makeArchive(dir, [
            { name: '2025/06/15/rec_080000.flac', seconds: 20, bursts: [[4, 5], [12, 13.5]] },
            { name: '2025/06/14/rec_100000.wav', seconds: 4, tone: 440 },
        ]);
        mkdirSync(path.join(dir, 'events'));
        writeFileSync(path.join(dir, 'events', '2025-06.jsonl'), LEDGER.map((e) => JSON.stringify(e)).join('\n') + '\n');
        const status = () => ({
            sources: [source({
                name: 'garden', level_dbfs: -75, peak_dbfs: -70,
                alarm: { kind: 'silence', since: isoNow(-90), message: 'the level has stayed below -60.0 dBFS for 90 s' },
            })],
        });
        stopFresh = keepStatusFresh(dir, status);
        server = await startIsrWeb(dir);
        browser = await launchBrowser();
        page = await openPage(browser, `${server.url}/?poll=1`);
    });

    after(async () => {
        stopFresh();
        await browser?.close();
        await server?.stop();
        removeTempDir(dir);
    });

    it('shows the alarm on the recorder card', async () => {
        const garden = page.locator('li.source[data-source="garden"]');
        // The strip says it while collapsed; the card with the details is in the expanded panel.
        await eventually(async () => /garden — silence/.test(await page.textContent('#recorder-toggle')), { message: 'the alarm in the strip' });
        await page.click('#recorder-toggle');
        const alarm = garden.locator('.source-alarm');
        await eventually(() => alarm.isVisible(), { message: 'the alarm on the card' });
        assert.equal(await alarm.getAttribute('data-kind'), 'silence');
        assert.match(await alarm.textContent(), /Alarm: silence since .* — the level has stayed below -60\.0 dBFS for 90 s/);
        // The alarm replaces the UI's own silence hint: one warning, not two.
        assert.equal(await garden.locator('.source-warning').count(), 0);
    });

    it('lists a day\'s gaps with their reason, and says when a day has none', async () => {
        const newest = day(page, '2025-06-15');
        const gaps = newest.locator('.day-gaps');
        await eventually(() => gaps.isVisible(), { message: 'the gaps of 2025-06-15' });
        assert.equal(await gaps.getAttribute('data-gaps'), '1');
        assert.match(await gaps.locator('.day-gaps-summary').textContent(), /1 gap on 2025-06-15, 0:04 of audio missing/);
        const gap = gaps.locator('li.gap');
        assert.equal(await gap.getAttribute('data-reason'), 'reconnect');
        const text = await gap.textContent();
        assert.match(text, /garden: 08:00:06 to 08:00:10, 0:04 missing — the stream was reconnected \(no data for 15 s\)/);
        assert.equal(await gap.getAttribute('title'), text);

        const older = day(page, '2025-06-14');
        await older.locator('.day-toggle').click();
        const none = older.locator('.day-gaps-none');
        await eventually(() => none.isVisible(), { message: 'no gaps on 2025-06-14' });
        assert.match(await none.textContent(), /No gaps on 2025-06-14/);
    });

    it('draws the gap as a hole on the Highlights timeline, its reason on hover', async () => {
        const newest = day(page, '2025-06-15');
        await newest.locator('button.hl-toggle').click();
        const timeline = newest.locator('.highlights svg.timeline');
        await timeline.waitFor({ timeout: ANALYSIS_TIMEOUT });
        const hole = timeline.locator('rect.tl-gap');
        await eventually(async () => (await hole.count()) === 1, { message: 'the gap on the timeline' });
        assert.equal(await hole.getAttribute('data-reason'), 'reconnect');
        assert.match(await hole.locator('title').textContent(), /the stream was reconnected/);
        // Where the gap is: 6 s into the 20 s file, 4 s wide.
        const x = Number(await hole.getAttribute('x'));
        const w = Number(await hole.getAttribute('width'));
        assert.ok(Math.abs(x - 300) < 5, `x = ${x}`);
        assert.ok(Math.abs(w - 200) < 5, `width = ${w}`);
        assert.match(await timeline.getAttribute('aria-label'), /1 gap in red/);
    });
});
