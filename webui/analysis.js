// Loud-section analysis: fetching (with progress while the server works), the session cache, and
// the waveform drawing.

import { query, request } from './api.js';
import { s, h, sleep } from './dom.js';
import { formatDb, formatOffset, plural } from './format.js';

const POLL_MS = 500;

const results = new Map(); // key → analysis result, for this session
const inflight = new Map(); // key → {promise, listeners:Set}

export function paramsKey(p) {
    return `${p.margin}|${p.min_gap}|${p.min_duration}`;
}

function near(a, b) {
    return Math.abs(Number(a) - Number(b)) < 1e-6;
}

/** True when /api/files says the server has this file's analysis cached for these parameters. */
export function hasCachedAnalysis(file, params) {
    return (file.analyses ?? []).some((p) => near(p.margin, params.margin) && near(p.min_gap, params.min_gap)
        && near(p.min_duration, params.min_duration));
}

export function cachedAnalysis(name, params) {
    return results.get(`${name}\u0000${paramsKey(params)}`);
}

export function forgetAnalyses(name) {
    for (const key of [...results.keys()]) if (key.startsWith(`${name}\u0000`)) results.delete(key);
}

/**
 * The analysis of one file. While the server is still working (202) it polls and reports
 * progress (0..1) to onProgress. A file being recorded answers what it holds so far (live: true).
 * Throws ApiError (400 bad parameters, 422 undecodable…).
 */
export async function fetchAnalysis(name, params, { onProgress, signal } = {}) {
    const key = `${name}\u0000${paramsKey(params)}`;
    if (results.has(key)) return results.get(key);
    let entry = inflight.get(key);
    if (!entry) {
        const listeners = new Set();
        const promise = (async () => {
            const url = query('api/analyze', { file: name, ...params, wait: 0 });
            for (;;) {
                const { status, body } = await request(url);
                if (status === 202) {
                    for (const l of listeners) l(Number(body?.progress) || 0);
                    await sleep(POLL_MS);
                    continue;
                }
                // A live file's analysis grows: asked again each time, never kept.
                if (!body?.live) results.set(key, body);
                return body;
            }
        })();
        entry = { promise, listeners };
        inflight.set(key, entry);
        promise.finally(() => inflight.delete(key)).catch(() => {});
    }
    if (onProgress) entry.listeners.add(onProgress);
    try {
        if (!signal) return await entry.promise;
        return await Promise.race([
            entry.promise,
            new Promise((_, reject) => {
                if (signal.aborted) reject(new DOMException('aborted', 'AbortError'));
                signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
            }),
        ]);
    } finally {
        if (onProgress) entry.listeners.delete(onProgress);
    }
}

function dbRange(rms, floor) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of floor) if (Number.isFinite(v)) lo = Math.min(lo, v);
    for (const v of rms) {
        if (!Number.isFinite(v)) continue;
        hi = Math.max(hi, v);
        if (!Number.isFinite(lo)) lo = v;
    }
    if (!Number.isFinite(lo)) lo = -90;
    if (!Number.isFinite(hi)) hi = 0;
    lo = Math.max(-120, Math.floor((lo - 12) / 6) * 6);
    hi = Math.min(0, Math.ceil((hi + 3) / 6) * 6);
    if (hi - lo < 24) lo = hi - 24;
    return { lo, hi };
}

/**
 * The waveform of an analysis as an SVG: RMS as bars, the noise floor as a line, the detection
 * threshold dashed, loud sections shaded. onSeek(seconds) when clicked.
 */
export function renderWaveform(result, { label, onSeek }) {
    const rms = result.rms_display ?? [];
    const floor = result.floor_display ?? [];
    const n = Math.max(1, rms.length);
    const H = 100;
    const dt = result.display_seconds > 0 ? result.display_seconds : (result.duration || 1) / n;
    const { lo, hi } = dbRange(rms, floor);
    const y = (db) => {
        const v = Number.isFinite(db) ? db : lo;
        return +(H - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * H).toFixed(2);
    };
    const x = (t) => Math.min(n, Math.max(0, t / dt));

    let bars = `M0 ${H}`;
    rms.forEach((v, i) => { bars += `V${y(v)}H${i + 1}`; });
    bars += `V${H}Z`;
    const floorPoints = floor.map((v, i) => `${i + 0.5},${y(v)}`).join(' ');
    const margin = Number(result.params?.margin);
    const thresholdPoints = Number.isFinite(margin) ? floor.map((v, i) => `${i + 0.5},${y(v + margin)}`).join(' ') : '';

    const sections = (result.sections ?? []).map((sec) => s('rect', {
        class: 'wf-section',
        x: x(sec.start).toFixed(2),
        y: 0,
        width: Math.max(0.6, x(sec.end) - x(sec.start)).toFixed(2),
        height: H,
    }));
    const playhead = s('line', { class: 'wf-playhead', x1: 0, x2: 0, y1: 0, y2: H, 'vector-effect': 'non-scaling-stroke', visibility: 'hidden' });
    const svg = s('svg', {
        class: 'waveform',
        role: 'img',
        'aria-label': label,
        'data-duration': String(result.duration ?? ''),
        viewBox: `0 0 ${n} ${H}`,
        preserveAspectRatio: 'none',
    },
    s('title', {}, label),
    sections,
    s('path', { class: 'wf-rms', d: bars }),
    thresholdPoints && s('polyline', { class: 'wf-threshold', points: thresholdPoints, 'vector-effect': 'non-scaling-stroke' }),
    s('polyline', { class: 'wf-floor', points: floorPoints, 'vector-effect': 'non-scaling-stroke' }),
    playhead);

    svg.addEventListener('click', (event) => {
        const box = svg.getBoundingClientRect();
        if (box.width <= 0) return;
        const fraction = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
        const duration = Number(result.duration) || n * dt;
        onSeek(Math.min(duration, fraction * n * dt));
    });
    svg.setPlayhead = (t) => {
        if (!Number.isFinite(t)) {
            playhead.setAttribute('visibility', 'hidden');
            return;
        }
        const px = x(t).toFixed(2);
        playhead.setAttribute('x1', px);
        playhead.setAttribute('x2', px);
        playhead.setAttribute('visibility', 'visible');
    };
    return svg;
}

/** A legend line for a waveform. */
export function waveformLegend() {
    return h('p', { class: 'legend', 'aria-hidden': 'true' },
        h('span', { class: 'key key-rms' }), 'level ',
        h('span', { class: 'key key-floor' }), 'background ',
        h('span', { class: 'key key-threshold' }), 'threshold ',
        h('span', { class: 'key key-section' }), 'loud section');
}

/** "3 loud sections · margin 12 dB · grace 2 s · min 0.5 s" */
export function describeResult(result) {
    const p = result.params ?? {};
    const count = (result.sections ?? []).length;
    return `${plural(count, 'loud section')} · margin ${p.margin} dB · grace ${p.min_gap} s · min ${p.min_duration} s`;
}

/** A section chip's accessible label. */
export function sectionLabel(sec, wallStart, wallEnd) {
    return `Play section ${wallStart} to ${wallEnd} (${formatOffset(sec.start)} into the file), `
        + `${formatDb(sec.score)} above background`;
}
