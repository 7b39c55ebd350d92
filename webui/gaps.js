// The continuity ledger's gaps of a day (GET /api/events): what audio is missing, and why.

import { getJson, query } from './api.js';
import { h, s } from './dom.js';
import { formatDuration, plural } from './format.js';

const REASONS = {
    reconnect: 'the stream was reconnected',
    device_lost: 'the device failed and was reopened',
    pause: 'paused',
    overrun: 'overrun: audio was not read in time',
    disk_failure: 'the recordings could not be written',
    file_deleted: 'the file was deleted while recorded',
    stream_damaged: 'the stream sent damaged data',
    not_running: 'isrd was not running',
    stopped: 'isrd was stopped',
};

/** The day's ledger: { gaps, gap_seconds, events }; throws ApiError. */
export function fetchDayEvents(day, signal) {
    return getJson(query('api/events', { date: day }), { signal });
}

/** "reconnect: no data for 15 s" — the reason in words, with the detail isrd gave. */
export function gapReason(gap) {
    const words = REASONS[gap.reason] ?? String(gap.reason || 'unknown reason');
    return gap.detail ? `${words} (${gap.detail})` : words;
}

/** One gap in words: source, when, how long, why. */
export function gapText(gap, clock) {
    const start = Number(gap.start_utc);
    const seconds = Number(gap.seconds) || 0;
    return `${gap.source ? `${gap.source}: ` : ''}${clock.time(start)} to ${clock.time(start + seconds)}, `
        + `${formatDuration(seconds)} missing — ${gapReason(gap)}${gap.until_stop ? ', until isrd stopped' : ''}`;
}

/** The day's gaps as a list, or a sentence saying there are none. */
export function gapList(day, body, clock) {
    const gaps = body?.gaps ?? [];
    if (!gaps.length) {
        return h('p', { class: 'day-gaps day-gaps-none', dataset: { gaps: '0' } },
            h('span', { 'aria-hidden': 'true' }, '✓ '), `No gaps on ${day}: the recorder's ledger shows no missing audio.`);
    }
    const total = gaps.reduce((sum, g) => sum + (Number(g.seconds) || 0), 0);
    return h('div', { class: 'day-gaps', dataset: { gaps: String(gaps.length) } },
        h('p', { class: 'day-gaps-summary' },
            h('span', { 'aria-hidden': 'true' }, '⚠ '),
            `${plural(gaps.length, 'gap')} on ${day}, ${formatDuration(total)} of audio missing:`),
        h('ul', { class: 'gap-list' }, gaps.map((g) => {
            const text = gapText(g, clock);
            return h('li', { class: 'gap', title: text, dataset: { reason: String(g.reason ?? '') } }, text);
        })));
}

/** Holes on a timeline: one rect per gap, x(t) mapping epoch seconds to the timeline's units, its reason on hover. */
export function gapRects(gaps, from, to, x, clock) {
    return (gaps ?? []).flatMap((g) => {
        const a = Math.max(from, Number(g.start_utc));
        const b = Math.min(to, Number(g.start_utc) + (Number(g.seconds) || 0));
        if (!(b > a) && !(Number(g.start_utc) >= from && Number(g.start_utc) <= to)) return [];
        const text = gapText(g, clock);
        return [s('rect', {
            class: 'tl-gap', x: x(a).toFixed(2), y: 0, height: 40,
            width: Math.max(2, x(b) - x(a)).toFixed(2), 'data-reason': String(g.reason ?? ''),
        }, s('title', {}, text))];
    });
}
