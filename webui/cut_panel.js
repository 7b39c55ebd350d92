// The cut panel of a file row: start and end times, checked as they are typed, and the link to
// the stream-copied cut (/api/cut).

import { query } from './api.js';
import { h } from './dom.js';
import { formatDuration, formatOffset, parseClock } from './format.js';

export class CutPanel {
    /** playerTime(): the row's player position in seconds (0 when it has no player yet). */
    constructor(id, name, base, playerTime) {
        this.name = name;
        this.duration = null;
        this.edited = false;
        const startId = `${id}-start`;
        const endId = `${id}-end`;
        const errorId = `${id}-error`;
        const timeInput = (inputId) => h('input', {
            id: inputId, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false',
            placeholder: 'm:ss', 'aria-describedby': errorId, class: 'time-input',
            oninput: () => {
                this.edited = true;
                this.validate();
            },
        });
        this.start = timeInput(startId);
        this.end = timeInput(endId);
        this.link = h('a', { class: 'button cut-download', download: '', 'aria-label': `Download cut of ${base}` },
            h('span', { 'aria-hidden': 'true' }, '↓'), ' Download cut');
        this.error = h('p', { id: errorId, class: 'field-error', 'aria-live': 'polite' });
        const fromPlayer = (input) => () => {
            const t = playerTime();
            input.value = formatOffset(t, t % 1 !== 0);
            this.edited = true;
            this.validate();
        };
        this.el = h('div', { class: 'cut-panel', id, hidden: true, role: 'group', 'aria-label': `Cut ${base}` },
            h('div', { class: 'cut-fields' },
                h('div', { class: 'field' }, h('label', { for: startId }, 'Start'), this.start,
                    h('button', { type: 'button', class: 'secondary small', onclick: fromPlayer(this.start) }, 'Use player position')),
                h('div', { class: 'field' }, h('label', { for: endId }, 'End'), this.end,
                    h('button', { type: 'button', class: 'secondary small', onclick: fromPlayer(this.end) }, 'Use player position')),
                this.link),
            h('p', { class: 'help' }, 'Times as m:ss or h:mm:ss from the start of the file. The cut is copied without re-encoding.'),
            this.error);
    }

    /** The file's (new) duration; until the user types, the cut spans the whole file. */
    setDuration(duration) {
        this.duration = Number.isFinite(duration) ? duration : null;
        if (!this.edited) {
            this.start.value = '0:00';
            this.end.value = this.duration === null ? '' : formatDuration(Math.ceil(this.duration));
        }
        this.validate();
    }

    /** Fills in a range (a section being played), rounded outwards to whole seconds. */
    prefill(start, end) {
        this.start.value = formatDuration(Math.floor(start));
        this.end.value = formatDuration(Math.ceil(end));
        this.edited = true;
        this.validate();
    }

    focus() {
        this.start.focus();
    }

    validate() {
        const start = parseClock(this.start.value);
        const end = parseClock(this.end.value);
        const duration = this.duration;
        let error = '';
        let badStart = false;
        let badEnd = false;
        if (Number.isNaN(start)) {
            error = 'Start: enter a time like 1:30 or 1:02:03.';
            badStart = true;
        } else if (Number.isNaN(end)) {
            error = 'End: enter a time like 1:30 or 1:02:03.';
            badEnd = true;
        } else if (end <= start) {
            error = 'End must be after start.';
            badEnd = true;
        } else if (duration !== null && start >= duration) {
            error = `Start is past the end of the file (${formatDuration(duration)}).`;
            badStart = true;
        }
        this.start.setAttribute('aria-invalid', String(badStart));
        this.end.setAttribute('aria-invalid', String(badEnd));
        this.error.textContent = error;
        if (error) {
            this.link.removeAttribute('href');
            this.link.setAttribute('aria-disabled', 'true');
            return;
        }
        const last = duration === null ? end : Math.min(end, Math.ceil(duration));
        this.link.href = query('api/cut', { file: this.name, start: +start.toFixed(3), end: +last.toFixed(3) });
        this.link.removeAttribute('aria-disabled');
    }
}
