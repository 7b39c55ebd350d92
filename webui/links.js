// Deep links: the URL hash names the open day, file, position and section, so "21:18:04 in
// yesterday's garden file" can be sent to someone, and back/forward walk through what was opened.
//
//   #day=2025-06-15&file=garden/2025/06/15/garden_210000.mp3&t=1084.2&sec=1080.5&hl=1
//
// A new day, file or section pushes a history entry; the position while playing only replaces
// the current one (every few seconds, and on pause or seek), so back does not step through seconds.

import { fetchAnalysis } from './analysis.js';
import { h, s } from './dom.js';
import { baseName, formatOffset, parseClock } from './format.js';
import { announce, showError } from './messages.js';

const POSITION_EVERY_MS = 2000;
const METADATA_WAIT_MS = 5000;
// Two sheets, one over the other: "copy" (system fonts may lack an emoji for it).
const COPY_ICON = 'M5 1h8a2 2 0 0 1 2 2v8h-2V3H5z'
    + 'M1 7a2 2 0 0 1 2-2h7a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2zM3 7v6h7V7z';

/** {day, file, t, sec, hl} of a hash; missing or malformed fields are left out. */
export function parseHash(hash) {
    const p = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
    const state = {};
    const day = p.get('day');
    if (day && /^\d{4}-\d{2}-\d{2}$/.test(day)) state.day = day;
    const file = p.get('file');
    if (file) state.file = file;
    for (const key of ['t', 'sec']) {
        const raw = p.get(key);
        if (raw === null) continue;
        // 1084.2 or 18:04.2: a link typed by hand reads like the player's clock.
        const v = raw.includes(':') ? parseClock(raw) : Number(raw);
        if (Number.isFinite(v) && v >= 0) state[key] = v;
    }
    if (p.get('hl') === '1') state.hl = true;
    return state;
}

// Slashes and colons stay readable; everything else a file name may hold is escaped.
function enc(value) {
    return encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%3A/gi, ':');
}

export function formatHash(state) {
    const parts = [];
    if (state.day) parts.push(`day=${state.day}`);
    if (state.file) parts.push(`file=${enc(state.file)}`);
    if (Number.isFinite(state.t)) parts.push(`t=${+state.t.toFixed(1)}`);
    if (Number.isFinite(state.sec)) parts.push(`sec=${+state.sec.toFixed(2)}`);
    if (state.hl) parts.push('hl=1');
    return parts.length ? `#${parts.join('&')}` : '';
}

// The hash keeps a section's start to 1/100 s; the analysis has more digits.
function sameSection(a, b) {
    return a === undefined || b === undefined ? a === b : Math.abs(a - b) < 0.05;
}

export class Links {
    /** ctx: {library, reel, params()} */
    constructor(ctx) {
        this.ctx = ctx;
        this.state = {};
        this.restoring = false;
        this.lastWrite = 0;
        this.applied = location.hash;
    }

    get library() {
        return this.ctx.library;
    }

    start() {
        // Media events do not bubble; capturing sees every player, the rows' and the reel's.
        document.addEventListener('loadstart', (e) => this.onMedia(e, 'loadstart'), true);
        document.addEventListener('play', (e) => this.onMedia(e, 'play'), true);
        document.addEventListener('pause', (e) => this.onMedia(e, 'pause'), true);
        document.addEventListener('seeked', (e) => this.onMedia(e, 'seeked'), true);
        document.addEventListener('timeupdate', (e) => this.onMedia(e, 'timeupdate'), true);
        const restore = () => {
            if (location.hash === this.applied) return; // popstate and hashchange both fire for one step
            this.restore(location.hash);
        };
        window.addEventListener('popstate', restore);
        window.addEventListener('hashchange', restore);
        this.addReelButton();
    }

    // ---- writing the hash ----

    write(state, push) {
        if (this.restoring) return;
        this.state = state;
        const hash = formatHash(state);
        const url = `${location.pathname}${location.search}${hash}`;
        if (hash === location.hash) return;
        if (push) history.pushState(null, '', url);
        else history.replaceState(null, '', url);
        this.applied = location.hash;
        this.lastWrite = Date.now();
    }

    /** A day was opened or closed, its highlights shown or hidden (by the user). */
    dayChanged(day, expanded, highlights) {
        if (expanded) this.write({ day, hl: highlights || undefined }, true);
        else if (this.state.day === day) this.write({}, true);
    }

    /** Which file, position and section a player is at; null for a player that is no recording's. */
    where(audio) {
        if (audio.id === 'reel-audio') {
            const reel = this.ctx.reel;
            if (!reel.active) return null;
            const sec = reel.queue[reel.index];
            return { file: sec.file, t: reel.clipStart + (audio.currentTime || 0), sec: sec.start };
        }
        const file = audio.closest('tr.detail-row')?.dataset.detailFor;
        return file ? { file, t: audio.currentTime || 0 } : null;
    }

    onMedia(e, kind) {
        if (!(e.target instanceof HTMLMediaElement) || this.restoring) return;
        const at = this.where(e.target);
        if (!at) return;
        const file = this.library.byName.get(at.file);
        const day = file ? this.library.dayOf(file) : this.state.day;
        const same = at.file === this.state.file && sameSection(at.sec, this.state.sec);
        const hl = this.state.hl && this.state.day === day ? true : undefined;
        const next = { day, file: at.file, t: at.t, sec: at.sec, hl };
        if (!same) {
            // A new file or section: a history entry of its own. A row's player only counts once it
            // plays (opening a row to look is not a navigation); the reel's clip counts as it loads.
            if (kind === 'play' || (kind === 'loadstart' && at.sec !== undefined)) this.write(next, true);
            return;
        }
        if (kind === 'timeupdate' && Date.now() - this.lastWrite < POSITION_EVERY_MS) return;
        if (kind === 'loadstart') return;
        this.write(next, false);
    }

    /** A link to where `audio` (a row's player or the reel) is now. */
    linkTo(audio) {
        const at = this.where(audio);
        if (!at) return null;
        const file = this.library.byName.get(at.file);
        const state = { day: file ? this.library.dayOf(file) : undefined, file: at.file, t: at.t, sec: at.sec };
        return `${location.origin}${location.pathname}${location.search}${formatHash(state)}`;
    }

    /** Copies the link to the clipboard; where that is not allowed, shows it selected to copy by hand. */
    async copyLink(audio, button) {
        const url = this.linkTo(audio);
        if (!url) return;
        const at = formatOffset(this.where(audio).t);
        try {
            await navigator.clipboard.writeText(url);
            announce(`Link to ${at} copied.`);
            button.dataset.copied = 'true';
            setTimeout(() => delete button.dataset.copied, 2000);
            return;
        } catch {
            // No clipboard (a page served over plain http on the LAN, or permission refused).
        }
        let field = button.parentElement.querySelector('input.link-field');
        if (!field) {
            field = h('input', { class: 'link-field', type: 'text', readonly: true, 'aria-label': 'Link to this position' });
            button.after(field);
        }
        field.value = url;
        field.hidden = false;
        field.focus();
        field.select();
        announce(`Link to ${at} selected: press Control+C to copy it.`);
    }

    /** A "Copy link" button for a row's player. */
    copyButton(audio, { compact = false } = {}) {
        const button = h('button', {
            type: 'button', class: 'secondary small copy-link', title: 'Copy a link to this position',
            'aria-label': 'Copy link', onclick: () => this.copyLink(audio, button),
        }, s('svg', { class: 'icon', viewBox: '0 0 16 16', 'aria-hidden': 'true', focusable: 'false' },
            s('path', { 'fill-rule': 'evenodd', d: COPY_ICON })),
        // In the player bar the words go on a phone, as the other buttons' there.
        compact ? h('span', { class: 'button-text' }, ' Copy link') : ' Copy link');
        return button;
    }

    addReelButton() {
        const close = document.getElementById('reel-close');
        if (!close || document.getElementById('reel-link')) return;
        const button = this.copyButton(document.getElementById('reel-audio'), { compact: true });
        button.id = 'reel-link';
        close.before(button);
    }

    // ---- following a link ----

    /** Opens what the hash names: the day, its highlights, the file at t, the section. */
    async restore(hash) {
        const state = parseHash(hash);
        this.applied = location.hash;
        this.restoring = true;
        try {
            await this.apply(state);
        } finally {
            this.restoring = false;
            this.state = state;
            this.lastWrite = Date.now();
        }
    }

    async apply(state) {
        const lib = this.library;
        const file = state.file ? lib.byName.get(state.file) : null;
        if (state.file && !file) {
            showError(`The link points to ${state.file}, which is not in the archive (any more). `
                + 'It may have been deleted by retention or by hand.');
        }
        const day = file ? lib.dayOf(file) : state.day;
        if (!day) return;
        if (!lib.days.has(day)) {
            if (!file) showError(`The link points to ${day}, which has no recordings (any more).`);
            return;
        }
        lib.showDay(day);
        const view = lib.days.get(day);
        if (state.hl && view.hlPanel.hidden) view.toggleHighlights(false);
        if (!file) {
            view.toggle.scrollIntoView({ block: 'start' });
            view.toggle.focus({ preventScroll: true });
            return;
        }
        const t = state.t ?? state.sec ?? 0;
        if (state.sec !== undefined && await this.playSection(state.file, state.sec, t)) return;
        await this.openAt(state.file, t);
    }

    /** The file's player at t, playing if the browser lets it; focused either way. */
    async openAt(name, t) {
        const row = this.library.revealRow(name);
        if (!row) return;
        row.openPlayerAt(t, false);
        const audio = row.audio;
        row.el.scrollIntoView({ block: 'center' });
        audio.focus({ preventScroll: true });
        await new Promise((resolve) => {
            if (audio.readyState >= 1) return resolve();
            audio.addEventListener('loadedmetadata', resolve, { once: true });
            audio.addEventListener('error', resolve, { once: true });
            setTimeout(resolve, METADATA_WAIT_MS); // a slow disk: the seek still happens when it loads
        });
        try {
            await audio.play();
        } catch {
            announce(`${baseName(name)} is ready at ${formatOffset(t)}: press Space to play.`);
            return;
        }
        announce(`Playing ${baseName(name)} from ${formatOffset(t)}.`);
    }

    /** The linked section in the player bar, at t inside its clip; false if it cannot be found. */
    async playSection(name, secStart, t) {
        let result;
        try {
            result = await fetchAnalysis(name, this.ctx.params());
        } catch {
            return false;
        }
        const fileStart = this.library.byName.get(name)?.start ?? 0;
        const queue = [...(result.sections ?? [])].sort((a, b) => a.start - b.start)
            .map((sec) => ({ ...sec, file: name, fileStart }));
        const i = queue.findIndex((sec) => Math.abs(sec.start - secStart) < 0.5);
        if (i < 0) return false;
        const reel = this.ctx.reel;
        reel.play(queue, i, { title: baseName(name) });
        const offset = t - reel.clipStart;
        if (offset > 0.2) {
            const seek = () => {
                if (offset < (reel.audio.duration || Infinity)) reel.audio.currentTime = offset;
            };
            if (reel.audio.readyState >= 1) seek();
            else reel.audio.addEventListener('loadedmetadata', seek, { once: true });
        }
        reel.audio.focus();
        return true;
    }
}
