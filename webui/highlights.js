// ★ Highlights of one day: the loudest sections of all its files on a timeline, as a review reel.

import { query, request } from './api.js';
import { paramsKey, sectionLabel } from './analysis.js';
import { h, replaceChildren, s, sleep } from './dom.js';
import { baseName, formatDbGain, plural, sourceOf } from './format.js';
import { fetchDayEvents, gapList, gapRects, gapText } from './gaps.js';
import { announce } from './messages.js';

const POLL_MS = 1000;
// Today's highlights grow while isrd records: asked again every third status poll (15 s by
// default) while the panel is open.
const REFRESH_POLLS = 3;
// Chips show the most promising sections; J/K and auto-advance step through all of them.
const CHIPS = 50;

/**
 * "garden" of "garden/2025/06/15/garden_210000.mp3": the source that recorded it. '' for a file
 * at the top or in a date folder (a single-source archive).
 */

export class DayHighlights {
    constructor(ctx, dayKey, panel) {
        this.ctx = ctx;
        this.day = dayKey;
        this.panel = panel;
        this.key = '';
        this.result = null;
        this.abort = null;
    }

    cancel() {
        clearTimeout(this.refreshTimer);
        this.abort?.abort();
        this.abort = null;
        if (!this.result) this.key = '';
    }

    onParamsChanged() {
        if (!this.panel.hidden) this.load();
    }

    async load() {
        const params = this.ctx.params();
        const key = paramsKey(params);
        const url = query('api/highlights', { date: this.day, limit: 0, ...params, wait: 0 });
        if (key === this.key && (this.abort || this.result)) {
            if (this.result && !this.abort) this.followToday(url, key); // shown again: keep up
            return;
        }
        this.abort?.abort();
        const abort = new AbortController();
        this.abort = abort;
        this.key = key;
        this.result = null;
        const status = h('p', { class: 'analysis-status' }, `Finding the loudest moments of ${this.day}…`);
        const progress = h('progress', { max: 1, 'aria-label': `Highlights progress for ${this.day}` });
        this.panel.setAttribute('aria-busy', 'true');
        replaceChildren(this.panel, status, progress);
        // The ledger's gaps, drawn as holes; highlights work without them.
        this.events = null;
        fetchDayEvents(this.day, abort.signal).then((body) => {
            this.events = body;
            if (this.result && this.abort === null && this.key === key) this.renderBody(this.result, []);
        }).catch(() => {});
        try {
            for (;;) {
                const { status: code, body } = await request(url, { signal: abort.signal });
                if (abort.signal.aborted) return;
                const pending = Number(body.pending) || 0;
                if (pending > 0 || code === 202) {
                    const files = (body.files ?? []).length;
                    progress.value = Number(body.progress) || 0;
                    status.textContent = files
                        ? `Analysing ${this.day}: ${files - pending} of ${plural(files, 'file')} done…`
                        : `Analysing ${this.day}… ${Math.round(progress.value * 100)} %`;
                    if (files) this.renderBody(body, [status, progress]);
                    await sleep(POLL_MS, abort.signal);
                    continue;
                }
                this.result = body;
                this.renderBody(body, []);
                this.followToday(url, key);
                announce(`Highlights of ${this.day}: ${plural(body.total_sections ?? (body.sections ?? []).length, 'loud section')}.`);
                break;
            }
        } catch (e) {
            if (e.name === 'AbortError') return;
            this.key = '';
            replaceChildren(this.panel,
                h('p', { class: 'field-error' }, `Highlights failed: ${e.message}`),
                h('button', { type: 'button', class: 'secondary small', onclick: () => this.load() }, 'Try again'));
            announce(`Highlights of ${this.day} failed: ${e.message}`);
        } finally {
            if (this.abort === abort) {
                this.abort = null;
                this.panel.removeAttribute('aria-busy');
            }
        }
    }

    /** Today (or a day with a file being recorded): asks again now and then, redrawing quietly. */
    followToday(url, key) {
        clearTimeout(this.refreshTimer);
        const today = this.day === this.ctx.clock.dayKey(Date.now() / 1000);
        if (!today && !(this.result?.files ?? []).some((f) => f.live)) return;
        this.refreshTimer = setTimeout(async () => {
            if (this.panel.hidden || this.key !== key || this.abort) return;
            try {
                const { status: code, body } = await request(url);
                if (this.panel.hidden || this.key !== key || this.abort) return;
                if (code === 200) {
                    this.result = body;
                    this.renderBody(body, []);
                }
            } catch {
                // Offline for a moment: the next round tries again.
            }
            this.followToday(url, key);
        }, REFRESH_POLLS * (this.ctx.pollMs || 5000));
    }

    /** The time-ordered review queue of the day's returned sections. */
    queueOf(body) {
        const starts = new Map((body.files ?? []).map((f) => [f.name, f.start]));
        return [...(body.sections ?? [])]
            .map((sec) => ({
                ...sec,
                fileStart: starts.get(sec.file)
                    ?? (Number.isFinite(sec.absolute_start_epoch) ? sec.absolute_start_epoch - sec.start : 0),
            }))
            .sort((a, b) => (a.fileStart + a.start) - (b.fileStart + b.start));
    }

    renderBody(body, progressNodes) {
        const clock = this.ctx.clock;
        const files = body.files ?? [];
        const queue = this.queueOf(body);
        const total = Number.isFinite(body.total_sections) ? body.total_sections : queue.length;
        const title = `Highlights ${this.day}`;
        const play = (i) => this.ctx.reel.play(queue, i, { title });

        const summary = total > CHIPS
            ? `${plural(total, 'loud section')} in ${plural(files.length, 'file')}; the top ${CHIPS} by score below, J/K step through all`
            : `${plural(total, 'loud section')} in ${plural(files.length, 'file')}`;

        // Chips: the most promising first. J/K and auto-advance follow time order.
        const byScore = queue.map((sec, i) => ({ sec, i })).sort((a, b) => b.sec.score - a.sec.score).slice(0, CHIPS);
        const chips = byScore.map(({ sec, i }) => {
            const from = clock.time(sec.fileStart + sec.start);
            const to = clock.time(sec.fileStart + sec.end);
            const source = sourceOf(sec.file);
            return h('li', {}, h('button', {
                type: 'button', class: 'chip', dataset: { file: sec.file, start: String(sec.start) },
                title: sec.file,
                'aria-label': sectionLabel(`${source ? `${source} ` : ''}${from} ${formatDbGain(sec.score)}`, sec, baseName(sec.file)),
                onclick: () => play(i),
            }, source ? [h('span', { class: 'tag chip-source' }, source), ' '] : null,
            h('span', { class: 'when' }, from), ' ', h('span', { class: 'score' }, formatDbGain(sec.score))));
        });

        // Keep keyboard focus on the same chip across the re-renders while results come in.
        const focused = this.panel.contains(document.activeElement) ? document.activeElement : null;
        const refocus = focused?.classList.contains('chip') ? { file: focused.dataset.file, start: focused.dataset.start } : null;
        replaceChildren(this.panel,
            ...progressNodes,
            h('div', { class: 'hl-summary' },
                h('p', { class: 'analysis-status' }, files.length ? summary : 'No recordings on this day can be analysed.'),
                queue.length ? h('button', {
                    type: 'button', class: 'small',
                    onclick: () => {
                        this.ctx.reel.setAutoAdvance(true);
                        play(0);
                    },
                }, h('span', { 'aria-hidden': 'true' }, '▶'), ' Review all from the start') : null),
            files.length ? this.timeline(files, queue, play) : null,
            this.events ? gapList(this.day, this.events, clock) : null,
            chips.length ? h('ul', { class: 'chips', 'aria-label': `Loudest sections of ${this.day}, by score` }, chips) : null);
        this.ctx.reel.markCurrent();
        if (refocus) {
            const again = [...this.panel.querySelectorAll('.chip')]
                .find((c) => c.dataset.file === refocus.file && c.dataset.start === refocus.start);
            (again ?? this.panel.querySelector('button'))?.focus();
        } else if (focused) {
            this.panel.querySelector('button')?.focus();
        }
    }

    /**
     * Files as thin blue bands, loud sections in orange, ledger gaps as red holes, on the day's
     * hours; a long stretch with no recordings is squeezed into a narrow break that says how long.
     */
    timeline(files, queue, play) {
        const clock = this.ctx.clock;
        const scale = timeScale(files);
        const { x, from, to } = scale;
        const grid = [];
        for (const seg of scale.segments) {
            if (seg.kind === 'break') {
                grid.push(s('rect', { class: 'tl-break', x: seg.x0.toFixed(2), y: 0, width: (seg.x1 - seg.x0).toFixed(2), height: 40 },
                    s('title', {}, `${spanWords(seg.to - seg.from)} with no recordings, ${clock.minutes(seg.from)} to ${clock.minutes(seg.to)}`)));
                continue;
            }
            for (const t of hoursIn(seg.from, seg.to, clock)) {
                grid.push(s('line', { class: 'tl-tick', x1: x(t).toFixed(2), x2: x(t).toFixed(2), y1: 0, y2: 40 }));
            }
        }
        const fileRects = files.map((f) => {
            const end = f.start + (Number(f.duration) || 0);
            return s('rect', {
                class: 'tl-file', x: x(f.start).toFixed(2), y: 15, height: 10,
                width: Math.max(2, x(end) - x(f.start)).toFixed(2),
            }, s('title', {}, `${f.name}: ${clock.time(f.start)} to ${clock.time(end)}`));
        });
        const sectionRects = queue.map((sec) => s('rect', {
            class: 'tl-section', x: x(sec.fileStart + sec.start).toFixed(2), y: 6, height: 28,
            width: Math.max(2, x(sec.fileStart + sec.end) - x(sec.fileStart + sec.start)).toFixed(2),
        }));
        const gaps = this.events?.gaps ?? [];
        const holes = gapRects(gaps, from, to, x, clock);
        const breaks = scale.segments.filter((seg) => seg.kind === 'break');
        const label = `Activity timeline of ${this.day} from ${clock.minutes(from)} to ${clock.minutes(to)}: `
            + `${plural(files.length, 'file')} in blue, ${plural(queue.length, 'loud section')} in orange`
            + (breaks.length ? `; drawn narrow: ${breaks.map((b) => `${spanWords(b.to - b.from)} with no recordings from ${clock.minutes(b.from)}`).join(', ')}` : '')
            + (holes.length ? `; ${plural(holes.length, 'gap')} in red: ${gaps.map((g) => gapText(g, clock)).join('; ')}` : '');
        const svg = s('svg', { class: 'timeline', role: 'img', 'aria-label': label, viewBox: `0 0 ${W} 40`, preserveAspectRatio: 'none' },
            s('title', {}, label), grid, fileRects, sectionRects, holes);
        svg.addEventListener('click', (event) => {
            if (!queue.length) return;
            const box = svg.getBoundingClientRect();
            const t = scale.at(((event.clientX - box.left) / box.width) * W);
            const middle = (sec) => sec.fileStart + (sec.start + sec.end) / 2;
            let best = 0;
            queue.forEach((sec, i) => {
                if (Math.abs(middle(sec) - t) < Math.abs(middle(queue[best]) - t)) best = i;
            });
            play(best);
        });
        const { breaks: breakLabels, axis } = axisLabels(scale, clock);
        return h('div', { class: 'timeline-wrap' }, breakLabels, svg, axis);
    }
}

// ---- the timeline's time scale ----

const W = 1000;
// An empty stretch longer than this becomes a break of BREAK_W units.
const BREAK_S = 3600;
const BREAK_W = 44;
// A short run of files still gets this share of the width, so it is not a sliver.
const MIN_SHARE = 0.12;

/**
 * Maps the day's epoch seconds to 0…W: runs of files (with pauses under an hour) keep their
 * proportions; the breaks between them are narrow. {x(t), at(x), from, to, segments}.
 */
function timeScale(files) {
    const spans = files
        .map((f) => [f.start, f.start + Math.max(0, Number(f.duration) || 0)])
        .filter(([a]) => Number.isFinite(a))
        .sort((p, q) => p[0] - q[0]);
    const runs = [];
    for (const [a, b] of spans) {
        const last = runs[runs.length - 1];
        if (last && a - last[1] <= BREAK_S) last[1] = Math.max(last[1], b);
        else runs.push([a, b]);
    }
    if (!runs.length) runs.push([0, 1]);
    for (const r of runs) if (!(r[1] > r[0])) r[1] = r[0] + 1;
    const total = runs.reduce((sum, [a, b]) => sum + (b - a), 0);
    const weights = runs.map(([a, b]) => Math.max(b - a, total * MIN_SHARE));
    const room = W - BREAK_W * (runs.length - 1);
    const sum = weights.reduce((p, q) => p + q, 0);
    const segments = [];
    let x0 = 0;
    runs.forEach(([a, b], i) => {
        if (i > 0) {
            segments.push({ kind: 'break', from: runs[i - 1][1], to: a, x0, x1: x0 + BREAK_W });
            x0 += BREAK_W;
        }
        const x1 = x0 + (room * weights[i]) / sum;
        segments.push({ kind: 'span', from: a, to: b, x0, x1 });
        x0 = x1;
    });
    const from = runs[0][0];
    const to = runs[runs.length - 1][1];
    const x = (t) => {
        const seg = segments.find((g) => t <= g.to) ?? segments[segments.length - 1];
        const c = Math.min(Math.max(t, seg.from), seg.to);
        return seg.x0 + ((c - seg.from) / (seg.to - seg.from)) * (seg.x1 - seg.x0);
    };
    const at = (px) => {
        const seg = segments.find((g) => px <= g.x1) ?? segments[segments.length - 1];
        return seg.from + ((Math.min(Math.max(px, seg.x0), seg.x1) - seg.x0) / (seg.x1 - seg.x0)) * (seg.to - seg.from);
    };
    return { x, at, from, to, segments };
}

/** The whole hours (in the server's zone) from `from` to `to`. */
function hoursIn(from, to, clock) {
    const hms = clock.time(from);
    let t = from - (Number(hms.slice(3, 5)) * 60 + Number(hms.slice(6, 8)) + (from % 1));
    if (t < from) t += 3600;
    const hours = [];
    for (; t <= to; t += 3600) hours.push(t);
    return hours;
}

function spanWords(seconds) {
    const hours = seconds / 3600;
    return hours >= 1.5 ? `${Math.round(hours)} h` : `${Math.round(seconds / 60)} min`;
}

/**
 * The labels: "⋯ 5 h" above each break, and under the timeline each run's start and the hours.
 * A time label too close to one already placed is dropped; "minor" ones hide on a narrow screen.
 */
function axisLabels(scale, clock) {
    const times = [];
    const breaks = [];
    for (const seg of scale.segments) {
        if (seg.kind === 'break') {
            breaks.push({ x: (seg.x0 + seg.x1) / 2, text: `⋯ ${spanWords(seg.to - seg.from)}`, kind: 'break' });
        } else {
            times.push({ x: seg.x0, text: clock.minutes(seg.from), kind: 'start', rank: 0 });
            for (const t of hoursIn(seg.from, seg.to, clock)) times.push({ x: scale.x(t), text: clock.minutes(t), kind: 'hour', rank: 1 });
        }
    }
    // Where the day's recordings end, when there is room for it.
    const last = scale.segments[scale.segments.length - 1];
    times.push({ x: last.x1, text: clock.minutes(last.to), kind: 'end', rank: 2 });
    const place = (list, gap) => {
        const kept = [];
        for (const item of [...list].sort((a, b) => a.rank - b.rank || a.x - b.x)) {
            if (kept.every((k) => Math.abs(k.x - item.x) >= gap)) kept.push(item);
        }
        return kept;
    };
    const kept = place(times, W * 0.07);
    const major = new Set(place(kept, W * 0.12));
    const label = (item, minor) => h('span', {
        class: `tl-label tl-label-${item.kind}${minor ? ' minor' : ''}`,
        // Centred on its tick, but kept inside the box at the ends.
        style: { left: `${(item.x / W) * 100}%`, transform: `translateX(${item.x < W * 0.04 ? '0' : item.x > W * 0.96 ? '-100%' : '-50%'})` },
    }, item.text);
    return {
        breaks: breaks.length ? h('div', { class: 'tl-breaks', 'aria-hidden': 'true' }, breaks.map((item) => label(item, false))) : null,
        axis: h('div', { class: 'tl-labels tl-axis', 'aria-hidden': 'true' },
            kept.sort((a, b) => a.x - b.x).map((item) => label(item, !major.has(item)))),
    };
}
