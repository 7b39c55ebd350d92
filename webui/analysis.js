// Loud-section analysis: fetching (with progress while the server works), the session cache, and
// the waveform drawing.

import { query, request } from './api.js';
import { s, h, sleep } from './dom.js';
import { formatDbGain, formatOffset, plural } from './format.js';

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
 * The levels of one span of a file at finer detail than the whole-file display: /api/analyze
 * with from/to/points. Polls while the server is still analysing (202). Not cached: a zoomed
 * view asks for what it shows.
 */
export async function fetchSpan(name, params, from, to, points, { signal } = {}) {
    const url = query('api/analyze', {
        file: name, ...params, from: +from.toFixed(3), to: +to.toFixed(3), points: Math.round(points), wait: 0,
    });
    for (;;) {
        const { status, body } = await request(url, { signal });
        if (status !== 202) return body;
        await sleep(POLL_MS, signal);
    }
}

// Shading edges in viewBox units (the box is 100 high and drawn 110 px tall): about 3 px.
const EDGE = 3;
// A pointer that moves less than this between press and release clicked (seek), not dragged.
const DRAG_PX = 5;

/**
 * The waveform of an analysis as an SVG: RMS as bars, the noise floor as a line, the detection
 * threshold dashed, loud sections shaded on top (translucent, with solid top and bottom edges,
 * so they show over loud bars in light and dark themes). Shows the span from..to seconds
 * (default: the whole file); result.display_from places a span answer's first point.
 * onSeek(seconds) on a click; onSelect(from, to) after a drag across it.
 */
export function renderWaveform(result, { label, onSeek, onSelect, from, to }) {
    const rms = result.rms_display ?? [];
    const floor = result.floor_display ?? [];
    const n = Math.max(1, rms.length);
    const H = 100;
    const dt = result.display_seconds > 0 ? result.display_seconds : (result.duration || 1) / n;
    const base = Number(result.display_from) || 0;
    const duration = Number(result.duration) || base + n * dt;
    const viewFrom = Number.isFinite(from) ? from : 0;
    const viewTo = Number.isFinite(to) && to > viewFrom ? to : duration;
    // Only the points inside the view count for the scale and the drawing.
    const first = Math.max(0, Math.floor((viewFrom - base) / dt));
    const last = Math.min(n, Math.ceil((viewTo - base) / dt));
    const { lo, hi } = dbRange(rms.slice(first, last), floor.slice(first, last));
    const y = (db) => {
        const v = Number.isFinite(db) ? db : lo;
        return +(H - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * H).toFixed(2);
    };
    const W = (viewTo - viewFrom) / dt; // viewBox units: one display point is 1 wide
    const x = (t) => +((t - viewFrom) / dt).toFixed(3);
    const xi = (i) => +((base - viewFrom) / dt + i).toFixed(3);

    let bars = `M${xi(first)} ${H}`;
    for (let i = first; i < last; ++i) bars += `V${y(rms[i])}H${xi(i + 1)}`;
    bars += `V${H}Z`;
    const line = (offset) => {
        const points = [];
        for (let i = first; i < last; ++i) points.push(`${xi(i + 0.5)},${y(floor[i] + offset)}`);
        return points.join(' ');
    };
    const margin = Number(result.params?.margin);

    const shown = (result.sections ?? []).filter((sec) => sec.end > viewFrom && sec.start < viewTo);
    const spans = shown.map((sec) => {
        const a = x(Math.max(viewFrom, sec.start));
        return { a, width: Math.max(W / 800, x(Math.min(viewTo, sec.end)) - a).toFixed(3) };
    });
    // Behind the bars a stronger tint (the quiet part of the band shows it); over them a light
    // one, so the bars keep their colour instead of turning grey.
    const backdrop = spans.map(({ a, width }) => s('rect', { class: 'wf-section-bg', x: a, y: 0, width, height: H }));
    const shading = spans.map(({ a, width }) => {
        return [
            s('rect', { class: 'wf-section', x: a, y: 0, width, height: H }),
            s('rect', { class: 'wf-section-edge', x: a, y: 0, width, height: EDGE }),
            s('rect', { class: 'wf-section-edge', x: a, y: H - EDGE, width, height: EDGE }),
        ];
    });
    const selection = s('rect', { class: 'wf-selection', x: 0, y: 0, width: 0, height: H, visibility: 'hidden' });
    const playhead = s('line', { class: 'wf-playhead', x1: 0, x2: 0, y1: 0, y2: H, 'vector-effect': 'non-scaling-stroke', visibility: 'hidden' });
    const svg = s('svg', {
        class: 'waveform',
        role: 'img',
        'aria-label': label,
        'data-duration': String(result.duration ?? ''),
        'data-from': String(viewFrom),
        'data-to': String(viewTo),
        'data-points': String(last - first),
        'data-point-seconds': String(dt),
        viewBox: `0 0 ${+W.toFixed(3)} ${H}`,
        preserveAspectRatio: 'none',
    },
    s('title', {}, label),
    backdrop,
    s('path', { class: 'wf-rms', d: bars }),
    Number.isFinite(margin) && s('polyline', { class: 'wf-threshold', points: line(margin), 'vector-effect': 'non-scaling-stroke' }),
    s('polyline', { class: 'wf-floor', points: line(0), 'vector-effect': 'non-scaling-stroke' }),
    // After the bars: drawn first, the solid level fill hid them.
    shading,
    selection,
    playhead);

    const timeAt = (clientX) => {
        const box = svg.getBoundingClientRect();
        const fraction = box.width > 0 ? Math.min(1, Math.max(0, (clientX - box.left) / box.width)) : 0;
        return Math.min(duration, viewFrom + fraction * (viewTo - viewFrom));
    };
    let drag = null;
    svg.addEventListener('pointerdown', (event) => {
        if (event.button !== 0) return;
        drag = { x: event.clientX, moved: false };
        svg.setPointerCapture?.(event.pointerId);
    });
    svg.addEventListener('pointermove', (event) => {
        if (!drag || !onSelect) return;
        if (Math.abs(event.clientX - drag.x) >= DRAG_PX) drag.moved = true;
        if (!drag.moved) return;
        const a = timeAt(Math.min(drag.x, event.clientX));
        const b = timeAt(Math.max(drag.x, event.clientX));
        selection.setAttribute('x', x(a));
        selection.setAttribute('width', Math.max(0, x(b) - x(a)));
        selection.setAttribute('visibility', 'visible');
    });
    svg.addEventListener('pointerup', (event) => {
        const started = drag;
        drag = null;
        if (!started) return;
        selection.setAttribute('visibility', 'hidden');
        if (started.moved && onSelect) {
            onSelect(timeAt(Math.min(started.x, event.clientX)), timeAt(Math.max(started.x, event.clientX)));
        } else {
            onSeek(timeAt(event.clientX));
        }
    });
    svg.addEventListener('pointercancel', () => {
        drag = null;
        selection.setAttribute('visibility', 'hidden');
    });
    svg.setPlayhead = (t) => {
        if (!Number.isFinite(t) || t < viewFrom || t > viewTo) {
            playhead.setAttribute('visibility', 'hidden');
            return;
        }
        const px = x(t);
        playhead.setAttribute('x1', px);
        playhead.setAttribute('x2', px);
        playhead.setAttribute('visibility', 'visible');
    };
    return svg;
}

// Tick spacings for time axes, seconds: the smallest that leaves room for every label is used.
const TICK_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600];
// About the width of "09:00:10" and "09:00:10.5" in the axis font, px; ticks are spaced at
// least a third as much again, so the axis does not read as a solid line of digits.
const LABEL_PX = 54;
const LABEL_PX_TENTHS = 66;
const SPACING = 1.3;

/** Where to put time labels between from and to (seconds) on an axis widthPx wide. */
export function timeTicks(from, to, epoch, widthPx) {
    const span = to - from;
    const room = (st) => Math.max(2, (widthPx || 800) / ((st < 1 ? LABEL_PX_TENTHS : LABEL_PX) * SPACING));
    const step = TICK_STEPS.find((st) => span / st <= room(st)) ?? TICK_STEPS[TICK_STEPS.length - 1];
    const ticks = [];
    // On round wall-clock times (the file's start is rarely round).
    let k = Math.ceil((epoch + from) / step - 1e-9);
    for (; k * step - epoch <= to + 1e-9; ++k) ticks.push({ t: k * step - epoch, step });
    return ticks;
}

/** A time label: HH:MM:SS, with tenths when the ticks are closer than a second. */
export function tickLabel(clock, epoch, step) {
    const whole = Math.floor(epoch + 1e-6);
    if (step >= 1) return clock.time(whole);
    const tenths = Math.min(9, Math.round((epoch - whole) * 10));
    return `${clock.time(whole)}.${tenths}`;
}

/**
 * A time axis under a waveform or spectrogram: labels in wall-clock time (epoch + offset) at
 * their place between from and to. Decorative for screen readers: the graphic's label says the span.
 */
export function timeAxis(from, to, epoch, clock, widthPx) {
    const width = widthPx || 800;
    const labels = [];
    let taken = -Infinity; // where the previous label ends, px
    for (const { t, step } of timeTicks(from, to, epoch, width)) {
        const pct = ((t - from) / (to - from)) * 100;
        const room = step < 1 ? LABEL_PX_TENTHS : LABEL_PX;
        const centre = (pct / 100) * width;
        // Labels at the ends stay inside the axis instead of being cut off; one that would then
        // run into its neighbour is left out.
        const left = Math.min(width - room, Math.max(0, centre - room / 2));
        if (left < taken + 6) continue;
        taken = left + room;
        const label = h('span', { class: 'tick', style: { left: `${((left / width) * 100).toFixed(3)}%` } },
            tickLabel(clock, epoch + t, step));
        label.style.setProperty('--mark', `${(centre - left).toFixed(1)}px`); // the tick mark's place
        labels.push(label);
    }
    return h('div', { class: 'time-axis', 'aria-hidden': 'true' }, labels);
}

/** A legend line for a waveform: each swatch stays on one line with its label. */
export function waveformLegend() {
    const item = (key, text) => h('span', { class: 'legend-item' }, h('span', { class: `key ${key}` }), text);
    return h('p', { class: 'legend', 'aria-hidden': 'true' },
        item('key-rms', 'level'),
        item('key-floor', 'background'),
        item('key-threshold', 'threshold'),
        item('key-section', 'loud section'));
}

/** ["3 loud sections", "margin 12 dB", "grace 2 s", "min 0.5 s"] */
export function describeParts(result) {
    const p = result.params ?? {};
    const count = (result.sections ?? []).length;
    return [plural(count, 'loud section'), `margin ${p.margin} dB`, `grace ${p.min_gap} s`, `min ${p.min_duration} s`];
}

/** "3 loud sections · margin 12 dB · grace 2 s · min 0.5 s" */
export function describeResult(result) {
    return describeParts(result).join(' · ');
}

/** A section chip's accessible label. */
// It starts with the chip's visible text, so speech input ("click 21:18:04") finds the button
// (WCAG 2.5.3, label in name).
export function sectionLabel(visible, sec, where = 'the file') {
    return `${visible}: play the section ${formatOffset(sec.start)} into ${where}, `
        + `${formatDbGain(sec.score)} above the background`;
}
