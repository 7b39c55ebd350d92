// One recording's row in a day's table, and its detail row below it: the player, the cut panel
// and the waveform with its loud sections.

import { deleteRecording, downloadUrl, explainMediaError, setKept, streamUrl } from './api.js';
import { describeParts, fetchAnalysis, hasCachedAnalysis, paramsKey, sectionLabel, waveformLegend } from './analysis.js';
import { CutPanel } from './cut_panel.js';
import { confirmDialog } from './dialog.js';
import { h, idFor, replaceChildren } from './dom.js';
import { baseName, formatBytes, formatDbGain, formatDuration, plural, sourceOf } from './format.js';
import { announce, showError } from './messages.js';
import { WaveView } from './wave_view.js';

const MAX_FILE_CHIPS = 300;
// How often an open analysis of a file being recorded asks for what was added.
const LIVE_POLL_MS = 4000;

/** How many characters of a name's end stay visible when the middle is cut: the extension and a few more. */
const TAIL_CHARS = 3;
/** The class of each row control: ↑ and ↓ go to the one with the same class in the next row. */
const ACTIONS = ['play', 'download', 'cut', 'analyse', 'keep', 'delete'];

/**
 * A name in two parts for a middle ellipsis: CSS cuts the head, the tail (the extension and a
 * few characters before it) always shows, so a shortened name never loses its extension.
 */
function splitForEllipsis(base) {
    const dot = base.lastIndexOf('.');
    const ext = dot > 0 ? base.length - dot : 0;
    const keep = Math.min(base.length, ext + TAIL_CHARS);
    return [base.slice(0, base.length - keep), base.slice(base.length - keep)];
}

export class RowView {
    constructor(lib, file) {
        this.lib = lib;
        this.ctx = lib.ctx;
        this.name = file.name;
        this.file = file;
        this.open = { player: false, cut: false, analysis: false };
        this.filtered = false;
        this.audio = null;
        this.analysisKey = '';
        this.analysisAbort = null;
        this.autoAnalysisDeclined = false;
        this.wave = new WaveView(this);

        const base = baseName(file.name);
        const playerId = idFor('player', file.name);
        const cutId = idFor('cut', file.name);
        const analysisId = idFor('analysis', file.name);

        this.badge = h('span', { class: 'rec-badge', hidden: true, title: 'Being recorded now' },
            h('span', { class: 'rec-dot', 'aria-hidden': 'true' }), 'REC',
            h('span', { class: 'visually-hidden' }, ' (being recorded now)'));
        this.problem = h('span', { class: 'file-problem', hidden: true });
        this.startCell = h('td', { class: 'start', 'data-label': 'Start' });
        this.durationCell = h('td', { class: 'duration', 'data-label': 'Duration' });
        this.sizeCell = h('td', { class: 'size', 'data-label': 'Size' });
        this.formatCell = h('td', { class: 'format', 'data-label': 'Format' });

        // Play is the row's one primary action; the rest are icon buttons, named for screen readers
        // and explained by their tooltips.
        this.playButton = h('button', {
            type: 'button', class: 'play', 'aria-expanded': 'false', 'aria-controls': playerId,
            'aria-label': `Play ${base}`, title: `Play ${base}`, onclick: () => this.togglePlayer(),
        }, h('span', { 'aria-hidden': 'true' }, '▶'), h('span', { class: 'button-text', 'aria-hidden': 'true' }, 'Play'));
        this.downloadLink = h('a', {
            class: 'button icon-action download', href: downloadUrl(file.name), download: base,
            'aria-label': `Download ${base}`, title: `Download ${base}`,
        }, h('span', { 'aria-hidden': 'true' }, '↓'));
        this.cutButton = h('button', {
            type: 'button', class: 'cut icon-action', 'aria-expanded': 'false', 'aria-controls': cutId,
            'aria-label': `Cut ${base}`, onclick: () => this.setPanel('cut', !this.open.cut, true),
        }, h('span', { 'aria-hidden': 'true' }, '✂'));
        this.analyseButton = h('button', {
            type: 'button', class: 'analyse icon-action', 'aria-expanded': 'false', 'aria-controls': analysisId,
            'aria-label': `Analyse ${base}`, onclick: () => this.toggleAnalysis(),
        }, h('span', { 'aria-hidden': 'true' }, '∿'));
        // A toggle: pressed while the recording carries a .keep marker, which retention honours.
        this.keepButton = lib.ctx.config.read_only ? null : h('button', {
            type: 'button', class: 'keep icon-action', 'aria-pressed': String(Boolean(file.kept)),
            'aria-label': `Keep ${base}`, onclick: () => this.toggleKeep(),
        }, h('span', { class: 'keep-star', 'aria-hidden': 'true' }, file.kept ? '★' : '☆'));
        // Hidden too when isr-web cannot write the recordings folder (a read-only mount).
        this.deleteButton = lib.ctx.config.read_only || lib.ctx.config.can_delete === false ? null : h('button', {
            type: 'button', class: 'delete icon-action danger-icon', 'aria-label': `Delete ${base}`,
            onclick: () => this.confirmDelete(),
        }, h('span', { 'aria-hidden': 'true' }, '✕'));
        this.controls = [this.playButton, this.downloadLink, this.cutButton, this.analyseButton, this.keepButton, this.deleteButton].filter(Boolean);
        this.rovingStop = this.playButton;
        for (const control of this.controls) control.tabIndex = control === this.rovingStop ? 0 : -1;

        // The source is a tag and the time the row's name, so the folders are not repeated on every
        // row; the whole name stays in the tooltip and for screen readers.
        // A year folder ("2025/06/15/…") is no source: only a name like "garden/…" gets a tag.
        const sourceName = sourceOf(file.name);
        const [head, tail] = splitForEllipsis(base);
        this.nameCell = h('td', { class: 'name', 'data-label': 'Name', title: file.name },
            h('span', { class: 'name-line' },
                sourceName ? h('span', { class: 'source-tag', 'aria-hidden': 'true' }, sourceName) : null,
                // Before the name: the badge stays on the line the name may leave.
                this.badge,
                h('span', { class: 'base', 'aria-hidden': 'true' },
                    h('span', { class: 'base-head' }, head), h('span', { class: 'base-tail' }, tail)),
                h('span', { class: 'visually-hidden' }, file.name)),
            this.problem);

        this.el = h('tr', { class: 'file-row', dataset: { name: file.name } },
            this.startCell, this.nameCell, this.durationCell, this.sizeCell, this.formatCell,
            h('td', { class: 'actions' },
                h('div', { class: 'buttons' }, this.controls)));
        this.el.addEventListener('keydown', (e) => this.onKey(e));
        this.el.addEventListener('focusin', (e) => {
            if (this.controls.includes(e.target)) this.setRovingStop(e.target);
        });

        this.playerPanel = h('div', { class: 'player-panel', id: playerId, hidden: true });
        this.cut = new CutPanel(cutId, file.name, base, () => (this.audio ? this.audio.currentTime : 0));
        this.cutPanel = this.cut.el;
        this.analysisPanel = h('div', { class: 'analysis-panel', id: analysisId, hidden: true, role: 'group', 'aria-label': `Analysis of ${base}` });
        this.detail = h('tr', { class: 'detail-row', hidden: true, dataset: { detailFor: file.name } },
            h('td', { colspan: 6 }, this.playerPanel, this.cutPanel, this.analysisPanel));
    }

    get recording() {
        return this.lib.isRecording(this.name);
    }

    update(file) {
        this.file = file;
        const recording = this.recording;
        const clock = this.ctx.clock;
        this.el.classList.toggle('recording', recording);
        this.badge.hidden = !recording;
        this.startCell.textContent = typeof file.date === 'string' && file.date.length >= 19 ? file.date.slice(11, 19) : clock.time(file.start);
        this.startCell.title = file.start_from_name ? 'Start time from the file name' : 'Start time estimated from the file (name has no time)';
        this.durationCell.textContent = recording ? '—' : formatDuration(file.duration);
        if (recording) this.durationCell.title = 'Still being recorded';
        else this.durationCell.removeAttribute('title');
        this.sizeCell.textContent = formatBytes(file.size);
        const rate = file.sample_rate ? ` · ${+(file.sample_rate / 1000).toFixed(1)} kHz` : '';
        const channels = file.channels ? ` · ${file.channels === 1 ? 'mono' : file.channels === 2 ? 'stereo' : `${file.channels} ch`}` : '';
        const bitrate = file.bitrate_kbps ? ` · ${Math.round(file.bitrate_kbps)} kbit/s` : '';
        this.formatCell.textContent = (file.format || file.ext || '?').toUpperCase();
        this.formatCell.title = `${file.codec || file.format || ''}${rate}${channels}${bitrate}`;
        this.problem.hidden = !file.error;
        this.problem.textContent = file.error ? `⚠ ${file.error}` : '';
        this.el.classList.toggle('has-problem', Boolean(file.error));

        // On a phone the duration, size and format columns are hidden: the tooltip still has them.
        this.nameCell.title = `${file.name}\n${this.durationCell.textContent} · ${this.sizeCell.textContent} · ${this.formatCell.textContent}`;

        const why = 'available once the recording is finished';
        this.cutButton.disabled = recording;
        this.cutButton.title = recording ? `Cut is ${why}` : 'Cut: save a part as a new file';
        this.analyseButton.title = recording ? 'Analyse what is recorded so far (grows while open)' : 'Analyse: waveform and loud sections';
        this.showKept(Boolean(file.kept));
        if (this.deleteButton) {
            this.deleteButton.disabled = recording;
            this.deleteButton.title = recording ? 'Being recorded: can be deleted once isrd moves to the next file' : 'Delete from disk';
        }
        // A disabled control cannot take focus: the row's tab stop moves to Play.
        if (this.rovingStop.disabled) this.setRovingStop(this.playButton);
        if (recording && this.open.cut) this.setPanel('cut', false);
        this.cut.setDuration(file.duration);
        this.applyCutPrefill();
    }

    // ---- keyboard: one tab stop per row ----

    setRovingStop(control) {
        if (this.rovingStop === control) return;
        this.rovingStop.tabIndex = -1;
        control.tabIndex = 0;
        this.rovingStop = control;
    }

    /** Focuses a control of this row and makes it the row's tab stop. */
    focusControl(control) {
        this.setRovingStop(control);
        control.focus();
    }

    usable() {
        return this.controls.filter((c) => !c.disabled);
    }

    onKey(e) {
        if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || !this.controls.includes(e.target)) return;
        const usable = this.usable();
        const i = usable.indexOf(e.target);
        let target = null;
        if (e.key === 'ArrowLeft') target = usable[Math.max(0, i - 1)];
        else if (e.key === 'ArrowRight') target = usable[Math.min(usable.length - 1, i + 1)];
        else if (e.key === 'Home') target = usable[0];
        else if (e.key === 'End') target = usable[usable.length - 1];
        else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
            const other = this.lib.visibleRowNear(this, e.key === 'ArrowUp' ? -1 : 1);
            if (other) {
                // The same control there, by its class (play, download, cut…), or its Play.
                const kind = ACTIONS.find((k) => e.target.classList.contains(k));
                const same = other.usable().find((c) => c.classList.contains(kind));
                other.focusControl(same ?? other.playButton);
            }
            e.preventDefault();
            return;
        } else return;
        e.preventDefault();
        if (target) this.focusControl(target);
    }

    applyCutPrefill() {
        const range = this.lib.takeCutPrefill(this.name);
        if (range) this.cut.prefill(range.start, range.end);
    }

    setFiltered(filtered) {
        this.filtered = filtered;
        this.el.hidden = filtered;
        this.syncDetail();
    }

    syncDetail() {
        this.detail.hidden = this.filtered || !(this.open.player || this.open.cut || this.open.analysis);
    }

    /**
     * The row became visible in an expanded day. compact: other rows of the day have cached
     * analyses too, so this one shows a one-line summary instead of its waveform.
     */
    onShown({ compact = false } = {}) {
        const params = this.ctx.params();
        if (this.open.analysis) {
            if (this.analysisKey !== paramsKey(params)) this.loadAnalysis();
        } else if (!this.recording && !this.autoAnalysisDeclined && hasCachedAnalysis(this.file, params)) {
            // The server has it cached: cheap to show straight away.
            this.compact = compact;
            this.setPanel('analysis', true);
            this.loadAnalysis();
        }
    }

    /** "3 loud sections · cached", and a button that shows the waveform. */
    renderSummary(result) {
        const base = baseName(this.name);
        replaceChildren(this.analysisPanel,
            h('p', { class: 'analysis-status analysis-compact' }, plural((result.sections ?? []).length, 'loud section'),
                result.cached ? h('span', { class: 'muted' }, ' · cached') : null, ' ',
                h('button', {
                    type: 'button', class: 'secondary small show-waveform', 'aria-label': `Show waveform of ${base}`,
                    onclick: () => {
                        this.compact = false;
                        this.renderAnalysis(result);
                        this.analysisPanel.querySelector('svg, button')?.focus();
                    },
                }, 'Show waveform')));
    }

    setPanel(kind, open, focus = false) {
        this.open[kind] = open;
        const panel = { player: this.playerPanel, cut: this.cutPanel, analysis: this.analysisPanel }[kind];
        const button = { player: this.playButton, cut: this.cutButton, analysis: this.analyseButton }[kind];
        panel.hidden = !open;
        button.setAttribute('aria-expanded', String(open));
        button.classList.toggle('active', open);
        this.syncDetail();
        if (kind === 'player' && !open) this.audio?.pause();
        if (kind === 'cut' && open && focus) this.cut.focus();
        if (kind === 'analysis' && !open) {
            clearTimeout(this.liveTimer);
            this.analysisAbort?.abort();
            this.analysisAbort = null;
            this.wave.hide();
            if (this.analysisState !== 'done') this.analysisKey = '';
        }
    }

    // ---- player ----

    ensureAudio(reload) {
        const live = this.recording;
        if (!this.audio) {
            this.audio = h('audio', { controls: true, preload: 'metadata', 'aria-label': `Audio of ${baseName(this.name)}` });
            this.audio.src = streamUrl(this.name) + (live ? `?t=${Date.now()}` : '');
            this.audio.addEventListener('timeupdate', () => this.wave.setPlayhead(this.audio.currentTime));
            this.audio.addEventListener('error', async () => {
                const src = this.audio.currentSrc || this.audio.src;
                const why = await explainMediaError(src);
                showError(`Cannot play ${baseName(this.name)}: ${why}`);
            });
            this.liveNote = h('p', { class: 'note', hidden: !live }, 'Still being recorded: close and reopen the player to load the newest audio.');
            const copy = this.ctx.links?.copyButton(this.audio);
            this.playerPanel.append(this.audio, ...(copy ? [copy] : []), this.liveNote);
        } else if (reload && live) {
            // A live file grows: a fresh URL makes the browser read the new length.
            this.audio.src = `${streamUrl(this.name)}?t=${Date.now()}`;
        }
        this.liveNote.hidden = !live;
        return this.audio;
    }

    togglePlayer() {
        if (this.open.player) {
            this.setPanel('player', false);
            return;
        }
        this.setPanel('player', true);
        const audio = this.ensureAudio(true);
        audio.play().catch(() => {
            // Autoplay refused or the source failed: the controls are there, the error handler explains.
        });
    }

    openPlayerAt(seconds, play) {
        if (!this.open.player) this.setPanel('player', true);
        const audio = this.ensureAudio(false);
        const seek = () => {
            audio.currentTime = Math.max(0, seconds);
            if (play) audio.play().catch(() => {});
        };
        if (audio.readyState >= 1) seek();
        else audio.addEventListener('loadedmetadata', seek, { once: true });
    }

    // ---- analysis ----

    toggleAnalysis() {
        // A one-line summary is an analysis half shown: Analyse shows its waveform.
        if (this.open.analysis && this.compact) {
            this.compact = false;
            if (this.analysisState === 'done') {
                this.analysisKey = '';
                this.loadAnalysis();
            }
            return;
        }
        this.compact = false;
        if (this.open.analysis) {
            this.autoAnalysisDeclined = true;
            this.setPanel('analysis', false);
            return;
        }
        this.setPanel('analysis', true);
        this.loadAnalysis();
    }

    async loadAnalysis() {
        const params = this.ctx.params();
        const key = paramsKey(params);
        if (this.analysisKey === key && this.analysisState !== 'error') return;
        this.analysisAbort?.abort();
        const abort = new AbortController();
        this.analysisAbort = abort;
        this.analysisKey = key;
        this.analysisState = 'loading';
        const base = baseName(this.name);
        const status = h('p', { class: 'analysis-status' }, `Analysing ${base}…`);
        const progress = h('progress', { max: 1, 'aria-label': `Analysis progress of ${base}` });
        this.analysisPanel.setAttribute('aria-busy', 'true');
        replaceChildren(this.analysisPanel, status, progress);
        try {
            const result = await fetchAnalysis(this.name, params, {
                signal: abort.signal,
                onProgress: (p) => {
                    progress.value = p;
                    status.textContent = `Analysing ${base}… ${Math.round(p * 100)} %`;
                },
            });
            if (abort.signal.aborted) return;
            this.analysisState = 'done';
            if (this.compact) this.renderSummary(result);
            else this.renderAnalysis(result);
        } catch (e) {
            if (e.name === 'AbortError') return;
            this.analysisState = 'error';
            replaceChildren(this.analysisPanel,
                h('p', { class: 'field-error' }, `Analysis failed: ${e.message}`),
                h('button', { type: 'button', class: 'secondary small', onclick: () => this.loadAnalysis() }, 'Try again'));
            announce(`Analysis of ${base} failed: ${e.message}`);
        } finally {
            if (this.analysisAbort === abort) this.analysisPanel.removeAttribute('aria-busy');
        }
    }

    /** A live file's waveform grows while its panel is open: asked again every few seconds. */
    followLive(result) {
        clearTimeout(this.liveTimer);
        if (!result.live || !this.open.analysis) return;
        this.liveTimer = setTimeout(async () => {
            // Closed, or the row was replaced by a fresh listing.
            if (!this.open.analysis || this.analysisState !== 'done' || !this.el.isConnected) return;
            const abort = this.analysisAbort ?? new AbortController();
            this.analysisAbort = abort;
            try {
                const next = await fetchAnalysis(this.name, this.ctx.params(), { signal: abort.signal });
                if (abort.signal.aborted || !this.open.analysis) return;
                this.renderAnalysis(next);
            } catch (e) {
                if (e.name !== 'AbortError') this.followLive(result); // a hiccup: try again later
            }
        }, LIVE_POLL_MS);
    }

    renderAnalysis(result) {
        const base = baseName(this.name);
        const clock = this.ctx.clock;
        const fileStart = this.file.start ?? 0;
        const sections = [...(result.sections ?? [])].sort((a, b) => a.start - b.start);
        const queue = sections.map((sec) => ({ ...sec, file: this.name, fileStart }));
        const chips = queue.slice(0, MAX_FILE_CHIPS).map((sec, i) => {
            const from = clock.time(fileStart + sec.start);
            const to = clock.time(fileStart + sec.end);
            const score = formatDbGain(sec.score);
            return h('li', {}, h('button', {
                type: 'button', class: 'chip', dataset: { file: this.name, start: String(sec.start) },
                'aria-label': sectionLabel(`${from}–${to} ${score}`, sec),
                onclick: () => this.ctx.reel.play(queue, i, { title: base }),
            }, `${from}–${to}`, ' ', h('span', { class: 'score' }, score)));
        });
        const parts = describeParts(result).map((text, i) => [i ? ' · ' : null, h('span', { class: 'nowrap' }, text)]);
        // A live file's panel is rebuilt every few seconds: focus stays where it was.
        const active = this.analysisPanel.contains(document.activeElement) ? document.activeElement : null;
        const waveFocus = this.wave.focusKey(active);
        const chipFocus = active?.classList.contains('chip') ? active.dataset.start : null;
        const wave = this.wave.build(result);
        replaceChildren(this.analysisPanel,
            h('p', { class: 'analysis-status' }, parts, result.cached ? h('span', { class: 'muted' }, ' · cached') : null,
                result.live ? h('span', { class: 'muted live-tag' }, ' · so far: still recording') : null),
            wave.waveform,
            wave.axis,
            wave.zoomBar,
            waveformLegend(),
            wave.spectrogram,
            chips.length ? h('ul', { class: 'chips', 'aria-label': `Loud sections of ${base}` }, chips)
                : h('p', { class: 'muted' }, 'No loud sections with these settings.'),
            queue.length > MAX_FILE_CHIPS ? h('p', { class: 'muted' }, `Showing the first ${MAX_FILE_CHIPS} of ${queue.length}; K / J step through all of them.`) : null);
        this.wave.draw();
        if (!this.wave.restoreFocus(waveFocus) && chipFocus !== null) {
            [...this.analysisPanel.querySelectorAll('button.chip')].find((c) => c.dataset.start === chipFocus)?.focus({ preventScroll: true });
        }
        this.ctx.reel.markCurrent();
        this.followLive(result);
    }

    // ---- keep ----

    showKept(kept) {
        if (!this.keepButton) return;
        this.keepButton.setAttribute('aria-pressed', String(kept));
        this.keepButton.querySelector('.keep-star').textContent = kept ? '★' : '☆';
        this.keepButton.title = kept ? 'Kept: retention will not delete it (click to unkeep)' : 'Keep: retention will not delete it';
    }

    async toggleKeep() {
        const kept = this.keepButton.getAttribute('aria-pressed') !== 'true';
        this.keepButton.disabled = true;
        try {
            const answer = await setKept(this.name, kept);
            this.file = { ...this.file, kept: Boolean(answer.kept) };
            this.showKept(Boolean(answer.kept));
            announce(answer.kept ? `${this.name} will be kept.` : `${this.name} is no longer kept.`);
        } catch (e) {
            showError(`Could not ${kept ? 'keep' : 'unkeep'} ${this.name}: ${e.message}`);
        } finally {
            this.keepButton.disabled = false;
            this.keepButton.focus();
        }
    }

    // ---- delete ----

    async confirmDelete() {
        const base = baseName(this.name);
        const ok = await confirmDialog({
            title: 'Delete recording?',
            text: `${this.name} will be deleted from disk, with its analysis. This cannot be undone.`,
            confirmLabel: `Delete ${base}`,
        });
        if (!ok) return;
        const focusTarget = this.neighbourName();
        try {
            await deleteRecording(this.name);
        } catch (e) {
            showError(`Could not delete ${this.name}: ${e.message}`);
            this.deleteButton?.focus();
            return;
        }
        const day = this.lib.dayOf(this.file);
        this.lib.forget(this.name);
        this.ctx.rerender();
        announce(`Deleted ${this.name}.`);
        this.ctx.refreshStorage();
        await this.ctx.refreshFiles();
        const next = focusTarget && this.lib.rows.get(focusTarget);
        if (next && next.el.isConnected && !next.el.hidden) next.focusControl(next.deleteButton && !next.deleteButton.disabled ? next.deleteButton : next.playButton);
        else if (this.lib.days.get(day)?.el.isConnected) this.lib.days.get(day).toggle.focus();
        else document.getElementById('search').focus();
    }

    /** The visible row after this one (or before it) in the same day: focus goes there after a delete. */
    neighbourName() {
        const rows = [...this.el.parentElement.querySelectorAll('tr.file-row:not([hidden])')];
        const i = rows.indexOf(this.el);
        const other = rows[i + 1] ?? rows[i - 1];
        return other?.dataset.name ?? null;
    }

    destroy() {
        this.analysisAbort?.abort();
        this.wave.destroy();
        if (this.audio) {
            this.audio.pause();
            this.audio.removeAttribute('src');
            this.audio.load();
        }
        this.el.remove();
        this.detail.remove();
    }
}
