// A file's waveform in its analysis panel: the span on show (zoom and pan, with finer levels
// fetched for it), the time axis, the zoom buttons and the spectrogram of the span.

import { clipUrl } from './api.js';
import { describeResult, fetchSpan, renderWaveform, timeAxis } from './analysis.js';
import { h, idFor, replaceChildren } from './dom.js';
import { baseName, formatDuration } from './format.js';
import { announce, showError } from './messages.js';
import { renderSpectrogram } from './spectrogram.js';

// The shortest span a waveform zooms to: 10 windows of 100 ms, each its own bar.
const MIN_SPAN = 1;
// The longest span a spectrogram is offered for: a 5 min clip is about 10–50 MB to decode.
const SPECTROGRAM_MAX_SPAN = 300;
const MAX_SPAN_POINTS = 4000;

const same = (a, b) => (a === null && b === null) || (a && b && Math.abs(a.from - b.from) < 1e-3 && Math.abs(a.to - b.to) < 1e-3);

export class WaveView {
    /** row: its name, file (start), ctx (clock, params()), audio and openPlayerAt(). */
    constructor(row) {
        this.row = row;
        this.result = null; // the whole file's analysis on show
        this.view = null; // the zoomed span {from, to} in seconds; null: the whole file
        this.spanDetail = null; // {from, to, body}: finer levels of this.view
        this.spanAbort = null;
        this.waveform = null;
        this.spectrogram = null;
        this.spectrogramAbort = null;
        this.spectrogramOpen = false;
        this.spectrogramSpan = null; // the span the spectrogram on show (or coming) covers
        this.waveWrap = null;
        this.buttons = null;
    }

    /**
     * The panel's waveform part for `result`, built anew (a live file's panel is rebuilt every few
     * seconds; the zoom and the spectrogram stay): the waveform, its axis, the zoom bar and the
     * spectrogram panel. Call draw() once they are in the document.
     */
    build(result) {
        const name = this.row.name;
        const base = baseName(name);
        this.result = result;
        // A live file's levels grew: the zoomed span is asked again.
        if (result.live) this.spanDetail = null;
        if (this.view && this.view.to > result.duration) this.view = this.clampView(this.view.from, this.view.to);
        const spectrogramId = idFor('spectrogram', name);
        const button = (cls, icon, text, label, onclick, props = {}) => h('button', {
            type: 'button', class: `secondary small ${cls}`, 'aria-label': label, title: label, onclick, ...props,
        }, icon ? h('span', { 'aria-hidden': 'true' }, icon) : null, text);
        this.buttons = {
            zoomIn: button('zoom-in', '+', ' Zoom in', `Zoom in on the waveform of ${base} (+)`, () => this.zoomBy(0.5)),
            zoomOut: button('zoom-out', '−', ' Zoom out', 'Zoom out (−)', () => this.zoomBy(2)),
            whole: button('zoom-reset', null, 'Whole file', 'Show the whole file (0)', () => this.showSpan(null)),
            spectrogram: button('spectrogram-toggle', '▦', ' Spectrogram', `Spectrogram of the part of ${base} shown`,
                () => this.toggleSpectrogram(), { 'aria-expanded': String(this.spectrogramOpen), 'aria-controls': spectrogramId }),
        };
        this.buttons.spectrogram.classList.toggle('active', this.spectrogramOpen);
        this.spanText = h('span', { class: 'zoom-span' });
        this.waveWrap = h('div', {
            class: 'waveform-wrap', tabindex: 0, role: 'group',
            'aria-label': `Waveform of ${base}: drag across it to zoom to a span, click to play from a point. `
                + 'Keys: plus zooms in, minus zooms out, 0 shows the whole file, left and right arrows move.',
            onkeydown: (e) => this.onKey(e),
        });
        this.axisHolder = h('div', { class: 'axis-holder' });
        this.spectrogramPanel ??= h('div', { class: 'spectro-panel', id: spectrogramId, hidden: true });
        return {
            waveform: this.waveWrap,
            axis: this.axisHolder,
            zoomBar: h('div', { class: 'zoom-bar', role: 'group', 'aria-label': `Zoom of ${base}` },
                this.buttons.zoomIn, this.buttons.zoomOut, this.buttons.whole, this.buttons.spectrogram, this.spanText),
            spectrogram: this.spectrogramPanel,
        };
    }

    /** Which of its controls has focus, by what survives build(); null: none of them. */
    focusKey(active) {
        if (!active || !this.waveWrap) return null;
        if (active === this.waveWrap) return 'waveform';
        return Object.entries(this.buttons ?? {}).find(([, b]) => b === active)?.[0] ?? null;
    }

    /** Focus back after build(); false when `key` is none of this view's. */
    restoreFocus(key) {
        if (!key) return false;
        let target = key === 'waveform' ? this.waveWrap : this.buttons?.[key];
        if (!target) return false;
        // A button that became disabled cannot hold focus: the waveform takes it instead.
        if (target.disabled) target = this.waveWrap;
        target.focus({ preventScroll: true });
        return true;
    }

    setPlayhead(t) {
        this.waveform?.setPlayhead(t);
        this.spectrogram?.setPlayhead(t);
    }

    /** The panel closed: nothing more is fetched, and the spectrogram is drawn again on opening. */
    hide() {
        this.spanAbort?.abort();
        this.spectrogramAbort?.abort();
        this.spectrogramSpan = null;
    }

    destroy() {
        this.spanAbort?.abort();
        this.spectrogramAbort?.abort();
    }

    // ---- zoom ----

    /** The span on show, seconds. */
    get span() {
        return this.view ?? { from: 0, to: Number(this.result?.duration) || 0 };
    }

    /** from..to kept inside the file and at least MIN_SPAN long; null when it covers the whole file. */
    clampView(from, to) {
        const duration = Number(this.result?.duration) || 0;
        const length = Math.max(Math.min(MIN_SPAN, duration), Math.min(duration, to - from));
        if (length >= duration - 1e-6) return null;
        // Widened to the shortest span around the same centre.
        const centre = (from + to) / 2;
        const start = Math.max(0, Math.min(to - from < length ? centre - length / 2 : from, duration - length));
        return { from: start, to: start + length };
    }

    spanWords() {
        const { from, to } = this.span;
        const clock = this.row.ctx.clock;
        const epoch = this.row.file.start ?? 0;
        const length = to - from;
        const size = length >= 120 ? formatDuration(length) : `${+length.toFixed(1)} s`;
        return { range: `${clock.time(epoch + from)}–${clock.time(epoch + to)}`, size };
    }

    /** Shows from..to (null: the whole file), fetches its finer levels, says so to screen readers. */
    showSpan(view, { quiet = false } = {}) {
        const next = view ? this.clampView(view.from, view.to) : null;
        if (same(next, this.view)) {
            if (!quiet) announce(next ? 'Cannot zoom further.' : 'The whole file is shown.');
            return;
        }
        this.view = next;
        this.draw();
        if (!quiet) {
            const { range, size } = this.spanWords();
            announce(next ? `Showing ${range}, ${size}.` : `Showing the whole file, ${range}.`);
        }
    }

    /** factor < 1 zooms in around the playhead (when it is in view) or the centre; > 1 out. */
    zoomBy(factor) {
        const { from, to } = this.span;
        const t = this.row.audio?.currentTime;
        const centre = factor < 1 && Number.isFinite(t) && t > 0 && t >= from && t <= to ? t : (from + to) / 2;
        const length = (to - from) * factor;
        this.showSpan({ from: centre - length / 2, to: centre + length / 2 });
    }

    pan(direction) {
        if (!this.view) return;
        const { from, to } = this.view;
        const shift = (to - from) * 0.25 * direction;
        this.showSpan({ from: from + shift, to: to + shift });
    }

    onKey(e) {
        if (e.ctrlKey || e.metaKey || e.altKey) return;
        const actions = {
            '+': () => this.zoomBy(0.5),
            '=': () => this.zoomBy(0.5),
            '-': () => this.zoomBy(2),
            '0': () => this.showSpan(null),
            ArrowLeft: () => this.pan(-1),
            ArrowRight: () => this.pan(1),
        };
        const action = actions[e.key];
        if (!action) return;
        e.preventDefault();
        action();
    }

    /** Draws the span on show: the finer levels when they are here, the whole file's meanwhile. */
    draw() {
        const result = this.result;
        if (!result || !this.waveWrap) return;
        const base = baseName(this.row.name);
        const { from, to } = this.span;
        const detail = this.view && this.spanDetail && same(this.spanDetail, { from, to }) ? this.spanDetail.body : null;
        const { range, size } = this.spanWords();
        const what = this.view ? `${range} (${size}) of ${base}` : `${base}`;
        // The span's answer has the levels; the sections are those of the analysis on show (the
        // detection settings may have changed since the span was asked for).
        const levels = detail ? { ...detail, sections: result.sections, params: result.params } : result;
        this.waveform = renderWaveform(levels, {
            label: `Waveform of ${what}: ${describeResult(result)}. Click to play from that point; drag to zoom.`,
            from,
            to,
            onSeek: (t) => this.row.openPlayerAt(t, true),
            onSelect: (a, b) => this.showSpan({ from: a, to: b }),
        });
        if (this.row.audio) this.waveform.setPlayhead(this.row.audio.currentTime);
        this.waveWrap.replaceChildren(this.waveform);
        const width = this.waveWrap.clientWidth || 800;
        this.axisHolder.replaceChildren(timeAxis(from, to, this.row.file.start ?? 0, this.row.ctx.clock, width));
        this.spanText.textContent = this.view ? `${range} · ${size}` : `Whole file · ${size}`;
        this.buttons.zoomIn.disabled = to - from <= MIN_SPAN + 1e-6;
        this.buttons.zoomOut.disabled = !this.view;
        this.buttons.whole.disabled = !this.view;
        const spectrogramOk = to - from <= SPECTROGRAM_MAX_SPAN;
        const open = this.spectrogramOpen;
        this.buttons.spectrogram.disabled = !spectrogramOk && !open;
        this.buttons.spectrogram.title = spectrogramOk ? `Spectrogram of ${range}`
            : `Zoom in to ${SPECTROGRAM_MAX_SPAN / 60} min or less for a spectrogram`;
        if (this.view && !detail) this.fetchSpanDetail();
        const shown = this.spectrogramSpan;
        // A live file growing moves the end of the whole-file span: no reason to decode again.
        const moved = !shown || Math.abs(shown.from - from) > 1e-3 || (Math.abs(shown.to - to) > 1e-3 && !(result.live && !this.view));
        if (open && moved) this.loadSpectrogram();
    }

    async fetchSpanDetail() {
        const { from, to } = this.view;
        this.spanAbort?.abort();
        const abort = new AbortController();
        this.spanAbort = abort;
        const dpr = Math.min(2, window.devicePixelRatio || 1);
        const points = Math.max(100, Math.min(MAX_SPAN_POINTS, Math.round((this.waveWrap.clientWidth || 800) * dpr)));
        try {
            const body = await fetchSpan(this.row.name, this.row.ctx.params(), from, to, points, { signal: abort.signal });
            if (abort.signal.aborted || this.view?.from !== from || this.view?.to !== to) return;
            this.spanDetail = { from, to, body };
            this.draw();
        } catch (e) {
            if (e.name === 'AbortError') return;
            // The coarse levels stay on show; the reason is worth a line.
            showError(`Cannot load the detail of ${baseName(this.row.name)}: ${e.message}`);
        }
    }

    // ---- spectrogram ----

    toggleSpectrogram() {
        const button = this.buttons.spectrogram;
        const open = !this.spectrogramOpen;
        this.spectrogramOpen = open;
        button.setAttribute('aria-expanded', String(open));
        button.classList.toggle('active', open);
        this.spectrogramPanel.hidden = !open;
        if (open) {
            this.loadSpectrogram();
        } else {
            this.spectrogramAbort?.abort();
            this.spectrogram = null;
            this.spectrogramSpan = null;
            this.spectrogramPanel.replaceChildren();
            this.draw();
        }
    }

    async loadSpectrogram() {
        const { from, to } = this.span;
        const base = baseName(this.row.name);
        this.spectrogramAbort?.abort();
        this.spectrogram = null;
        this.spectrogramSpan = { from, to };
        if (to - from > SPECTROGRAM_MAX_SPAN) {
            replaceChildren(this.spectrogramPanel, h('p', { class: 'muted' },
                `Zoom in to ${SPECTROGRAM_MAX_SPAN / 60} minutes or less to see a spectrogram.`));
            return;
        }
        const abort = new AbortController();
        this.spectrogramAbort = abort;
        const { range } = this.spanWords();
        replaceChildren(this.spectrogramPanel, h('p', { class: 'analysis-status' }, `Computing the spectrogram of ${range}…`));
        this.spectrogramPanel.setAttribute('aria-busy', 'true');
        try {
            const figure = await renderSpectrogram({
                url: clipUrl(this.row.name, from, to),
                from, to, epoch: this.row.file.start ?? 0, clock: this.row.ctx.clock, title: base,
                width: this.spectrogramPanel.clientWidth - 48, signal: abort.signal,
            });
            if (abort.signal.aborted) return;
            this.spectrogram = figure;
            if (this.row.audio) figure.setPlayhead(this.row.audio.currentTime);
            replaceChildren(this.spectrogramPanel, figure);
            announce(`Spectrogram of ${range} drawn.`);
        } catch (e) {
            if (e.name === 'AbortError') return;
            replaceChildren(this.spectrogramPanel, h('p', { class: 'field-error' }, `Spectrogram failed: ${e.message}`));
            announce(`Spectrogram of ${base} failed: ${e.message}`);
        } finally {
            if (this.spectrogramAbort === abort) this.spectrogramPanel.removeAttribute('aria-busy');
        }
    }
}
