// The section player bar: plays loud sections as server-rendered clips, steps through a queue
// (one file's sections or a day's highlights) in time order, and can auto-advance like a reel.

import { clipUrl, explainMediaError } from './api.js';
import { h } from './dom.js';
import { baseName, formatDb } from './format.js';
import { announce, showError } from './messages.js';
import { renderSpectrogram } from './spectrogram.js';

const PREROLL = 2;
const POSTROLL = 1;
const AUTO_KEY = 'isr.autoAdvance';


export class Reel {
    /**
     * ctx: {clock, config, lookup(name) → file, openFileAt(name, seconds), prefillCut(name, start, end)}
     */
    constructor(ctx) {
        this.ctx = ctx;
        this.queue = [];
        this.index = -1;
        this.clipStart = 0;
        this.title = '';
        this.bar = document.getElementById('reel');
        this.audio = document.getElementById('reel-audio');
        this.titleEl = document.getElementById('reel-title');
        this.detailEl = document.getElementById('reel-detail');
        this.auto = document.getElementById('reel-auto');
        try {
            this.auto.checked = localStorage.getItem(AUTO_KEY) === '1';
        } catch {
            // Storage may be disabled; the checkbox still works for this page.
        }
        this.auto.addEventListener('change', () => {
            try {
                localStorage.setItem(AUTO_KEY, this.auto.checked ? '1' : '0');
            } catch {
                // See above.
            }
        });
        document.getElementById('reel-prev').addEventListener('click', () => this.step(-1));
        document.getElementById('reel-next').addEventListener('click', () => this.step(1));
        document.getElementById('reel-open').addEventListener('click', () => this.openInFile());
        document.getElementById('reel-close').addEventListener('click', () => this.close());
        // The clip's spectrogram: a toggle beside "Open in file", drawn in a row of its own.
        this.spectrogramOpen = false;
        this.spectrogramPanel = h('div', { id: 'reel-spectrogram-panel', class: 'spectro-panel reel-spectro', hidden: true });
        this.spectrogramButton = h('button', {
            type: 'button', id: 'reel-spectrogram', class: 'secondary', 'aria-expanded': 'false',
            'aria-controls': 'reel-spectrogram-panel', title: 'Spectrogram of this clip',
            // The word is hidden on a phone (the bar keeps to two lines); the name stays.
            'aria-label': 'Spectrogram', onclick: () => this.toggleSpectrogram(),
        }, h('span', { 'aria-hidden': 'true' }, '▦'), h('span', { class: 'button-text' }, ' Spectrogram'));
        document.getElementById('reel-open').before(this.spectrogramButton);
        this.bar.append(this.spectrogramPanel);
        this.audio.addEventListener('timeupdate', () => this.spectrogram?.setPlayhead(this.clipStart + this.audio.currentTime));
        this.audio.addEventListener('ended', () => {
            if (!this.auto.checked) return;
            if (this.index < this.queue.length - 1) this.step(1);
            else announce('End of the review queue.');
        });
        this.audio.addEventListener('error', async () => {
            if (!this.audio.getAttribute('src')) return;
            const why = await explainMediaError(this.audio.src);
            showError(`Cannot play the section: ${why}`);
        });
    }

    get active() {
        return this.queue.length > 0;
    }

    setAutoAdvance(on) {
        this.auto.checked = on;
        this.auto.dispatchEvent(new Event('change'));
    }

    /** Plays queue[index]; queue items: {file, fileStart, start, end, score}. */
    play(queue, index, { title } = {}) {
        if (!queue.length) return;
        this.queue = queue;
        if (title !== undefined) this.title = title;
        this.index = Math.max(0, Math.min(index, queue.length - 1));
        const sec = queue[this.index];
        const file = this.ctx.lookup(sec.file);
        const duration = Number.isFinite(file?.duration) ? file.duration : Infinity;
        const maxClip = Number(this.ctx.config.limits?.clip_max_seconds) || 600;
        const start = Math.max(0, sec.start - PREROLL);
        let end = Math.min(duration, sec.end + POSTROLL);
        if (end - start > maxClip) end = start + maxClip;
        if (!(end > start)) end = start + 1;
        this.clipStart = start;
        this.clipEnd = end;
        this.audio.src = clipUrl(sec.file, start, end);
        this.audio.play().catch(() => {
            // Autoplay refused: the controls are visible; pressing play works.
        });

        const clock = this.ctx.clock;
        const from = clock.time(sec.fileStart + sec.start);
        const to = clock.time(sec.fileStart + sec.end);
        this.titleEl.textContent = `Section ${this.index + 1} of ${queue.length}${this.title ? ` · ${this.title}` : ''}`;
        this.detailEl.textContent = `${baseName(sec.file)} · ${from}–${to} · ${formatDb(sec.score)} above background`;
        this.bar.hidden = false;
        document.body.classList.add('reel-open');
        this.ctx.prefillCut(sec.file, start, end);
        this.markCurrent();
        if (this.spectrogramOpen) this.loadSpectrogram();
        announce(`Playing section ${this.index + 1} of ${queue.length}: ${from} to ${to}.`);
    }

    step(delta) {
        if (!this.active) {
            announce('No sections queued. Analyse a file or open ★ Highlights, then choose a section.');
            return;
        }
        const next = this.index + delta;
        if (next < 0) {
            announce('This is the first section.');
            return;
        }
        if (next >= this.queue.length) {
            announce('This is the last section.');
            return;
        }
        this.play(this.queue, next);
    }

    /** Switches to the full recording at the clip's current position. */
    openInFile() {
        if (!this.active) return;
        const sec = this.queue[this.index];
        const position = this.clipStart + (this.audio.currentTime || 0);
        this.audio.pause();
        this.ctx.openFileAt(sec.file, position);
    }

    close() {
        this.audio.pause();
        this.audio.removeAttribute('src');
        this.audio.load();
        this.queue = [];
        this.index = -1;
        this.bar.hidden = true;
        if (this.spectrogramOpen) this.toggleSpectrogram();
        document.body.classList.remove('reel-open');
        this.markCurrent();
        document.getElementById('main').focus();
    }

    toggleSpectrogram() {
        this.spectrogramOpen = !this.spectrogramOpen;
        this.spectrogramButton.setAttribute('aria-expanded', String(this.spectrogramOpen));
        this.spectrogramButton.classList.toggle('active', this.spectrogramOpen);
        this.spectrogramPanel.hidden = !this.spectrogramOpen;
        document.body.classList.toggle('reel-spectro-open', this.spectrogramOpen);
        if (this.spectrogramOpen && this.active) {
            this.loadSpectrogram();
        } else {
            this.spectrogramAbort?.abort();
            this.spectrogram = null;
            this.spectrogramPanel.replaceChildren();
        }
    }

    async loadSpectrogram() {
        this.spectrogramAbort?.abort();
        const abort = new AbortController();
        this.spectrogramAbort = abort;
        this.spectrogram = null;
        const sec = this.queue[this.index];
        const epoch = sec.fileStart ?? 0;
        const clock = this.ctx.clock;
        const range = `${clock.time(epoch + this.clipStart)} to ${clock.time(epoch + this.clipEnd)}`;
        this.spectrogramPanel.replaceChildren(h('p', { class: 'reel-detail' }, `Computing the spectrogram of ${range}…`));
        this.spectrogramPanel.setAttribute('aria-busy', 'true');
        try {
            const figure = await renderSpectrogram({
                url: this.audio.getAttribute('src'), from: this.clipStart, to: this.clipEnd, epoch, clock,
                title: baseName(sec.file), width: this.spectrogramPanel.clientWidth - 48, signal: abort.signal,
            });
            if (abort.signal.aborted) return;
            this.spectrogram = figure;
            figure.setPlayhead(this.clipStart + (this.audio.currentTime || 0));
            this.spectrogramPanel.replaceChildren(figure);
            announce(`Spectrogram of ${range} drawn.`);
        } catch (e) {
            if (e.name === 'AbortError') return;
            this.spectrogramPanel.replaceChildren(h('p', { class: 'field-error' }, `Spectrogram failed: ${e.message}`));
            announce(`Spectrogram failed: ${e.message}`);
        } finally {
            if (this.spectrogramAbort === abort) this.spectrogramPanel.removeAttribute('aria-busy');
        }
    }

    /** Marks the chips of the playing section (in the file's panel and in the day's highlights). */
    markCurrent() {
        for (const chip of document.querySelectorAll('.chip[aria-current]')) chip.removeAttribute('aria-current');
        if (!this.active) return;
        const sec = this.queue[this.index];
        for (const chip of document.querySelectorAll('.chip')) {
            if (chip.dataset.file === sec.file && Number(chip.dataset.start) === sec.start) chip.setAttribute('aria-current', 'true');
        }
    }
}
