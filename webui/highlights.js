// ★ Highlights of one day: the loudest sections of all its files on a timeline, as a review reel.

import { query, request } from './api.js';
import { paramsKey, sectionLabel } from './analysis.js';
import { h, replaceChildren, s, sleep } from './dom.js';
import { baseName, formatDb, plural } from './format.js';
import { fetchDayEvents, gapList, gapRects } from './gaps.js';
import { announce } from './messages.js';

const POLL_MS = 1000;
// Today's highlights grow while isrd records: asked again every third status poll (15 s by
// default) while the panel is open.
const REFRESH_POLLS = 3;
// Chips show the most promising sections; J/K and auto-advance step through all of them.
const CHIPS = 50;


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
            return h('li', {}, h('button', {
                type: 'button', class: 'chip', dataset: { file: sec.file, start: String(sec.start) },
                title: baseName(sec.file),
                'aria-label': `${sectionLabel(sec, from, to)}, in ${baseName(sec.file)}`,
                onclick: () => play(i),
            }, from, h('span', { class: 'score' }, formatDb(sec.score))));
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

    /** Files in blue, loud sections in orange, on the day's time span. */
    timeline(files, queue, play) {
        const clock = this.ctx.clock;
        let from = Infinity;
        let to = -Infinity;
        for (const f of files) {
            from = Math.min(from, f.start);
            to = Math.max(to, f.start + (Number(f.duration) || 0));
        }
        if (!(to > from)) to = from + 1;
        const W = 1000;
        const x = (t) => ((t - from) / (to - from)) * W;
        const fileRects = files.map((f) => s('rect', {
            class: 'tl-file', x: x(f.start).toFixed(2), y: 12, height: 16,
            width: Math.max(1, x(f.start + (Number(f.duration) || 0)) - x(f.start)).toFixed(2),
        }));
        const sectionRects = queue.map((sec) => s('rect', {
            class: 'tl-section', x: x(sec.fileStart + sec.start).toFixed(2), y: 4, height: 32,
            width: Math.max(2, x(sec.fileStart + sec.end) - x(sec.fileStart + sec.start)).toFixed(2),
        }));
        const gaps = this.events?.gaps ?? [];
        const holes = gapRects(gaps, from, to, W, clock);
        const label = `Activity timeline of ${this.day} from ${clock.minutes(from)} to ${clock.minutes(to)}: `
            + `${plural(files.length, 'file')} in blue, ${plural(queue.length, 'loud section')} in orange`
            + (holes.length ? `, ${plural(holes.length, 'gap')} in red` : '');
        const svg = s('svg', { class: 'timeline', role: 'img', 'aria-label': label, viewBox: `0 0 ${W} 40`, preserveAspectRatio: 'none' },
            s('title', {}, label), fileRects, sectionRects, holes);
        svg.addEventListener('click', (event) => {
            if (!queue.length) return;
            const box = svg.getBoundingClientRect();
            const t = from + ((event.clientX - box.left) / box.width) * (to - from);
            let best = 0;
            queue.forEach((sec, i) => {
                const d = Math.abs(sec.fileStart + (sec.start + sec.end) / 2 - t);
                const bd = Math.abs(queue[best].fileStart + (queue[best].start + queue[best].end) / 2 - t);
                if (d < bd) best = i;
            });
            play(best);
        });
        return h('div', { class: 'timeline-wrap' }, svg,
            h('div', { class: 'tl-labels', 'aria-hidden': 'true' },
                h('span', {}, clock.minutes(from)),
                h('span', {}, clock.minutes((from + to) / 2)),
                h('span', {}, clock.minutes(to))));
    }
}
