// The UI's pure helpers (webui/format.js), run in node without a browser: time entry for cuts,
// durations, sizes, levels and the server-zone clock.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatBytes, formatDb, formatDuration, formatOffset, parseClock, ZoneClock } from '../../webui/format.js';

describe('format helpers', () => {
    it('parses cut times as seconds, m:ss and h:mm:ss', () => {
        const cases = [
            ['0', 0], ['90', 90], ['1:30', 90], ['01:02:03', 3723], ['1:30.5', 90.5], [' 2:00 ', 120],
            ['1:60', NaN], ['1:2:60', NaN], ['', NaN], ['abc', NaN], ['-1', NaN], ['1::2', NaN], ['1:2:3:4', NaN],
        ];
        for (const [text, expected] of cases) assert.deepEqual(parseClock(text), expected, `parseClock(${JSON.stringify(text)})`);
    });

    it('formats durations and offsets', () => {
        assert.equal(formatDuration(null), '—');
        assert.equal(formatDuration(0), '0:00');
        assert.equal(formatDuration(8.046), '0:08');
        assert.equal(formatDuration(59.6), '1:00');
        assert.equal(formatDuration(3600), '1:00:00');
        assert.equal(formatDuration(86399), '23:59:59');
        assert.equal(formatOffset(75.25, true), '1:15.2');
        assert.equal(formatOffset(75.95), '1:15');
        assert.equal(parseClock(formatDuration(4321)), 4321);
    });

    it('formats sizes and levels', () => {
        assert.equal(formatBytes(999), '999 B');
        assert.equal(formatBytes(12477), '12.5 kB');
        assert.equal(formatBytes(640078), '640 kB');
        assert.equal(formatBytes(84166205440), '84.2 GB');
        assert.equal(formatDb(-35.4, 'dBFS'), '\u221235 dBFS');
        assert.equal(formatDb(18.24), '18 dB');
        assert.equal(formatDb(-0.2), '0 dB');
        assert.equal(formatDb(null), '—');
    });

    it('shows times in the server zone, or at the offset of the listing when the zone is unknown', () => {
        const t = Date.UTC(2026, 10, 21, 13, 0, 5) / 1000;
        const berlin = new ZoneClock('Europe/Berlin');
        assert.equal(berlin.time(t), '14:00:05');
        assert.equal(berlin.minutes(t), '14:00');
        assert.equal(berlin.dayKey(Date.UTC(2026, 10, 21, 23, 30) / 1000), '2026-11-22');
        const unknown = new ZoneClock('<+0530>-5:30');
        unknown.learnOffset('2026-11-21T18:30:00+05:30');
        assert.equal(unknown.time(t), '18:30:05');
        unknown.learnOffset('2026-11-21T13:00:00Z');
        assert.equal(unknown.time(t), '13:00:05');
    });
});
