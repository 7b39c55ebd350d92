// The recordings list: day groups of file rows (file_row.js).
// Rows and days are kept across refreshes (keyed by name / date) so audio keeps playing, focus
// stays where it was and open panels stay open.

import { forgetAnalyses, hasCachedAnalysis } from './analysis.js';
import { h, idFor, replaceChildren } from './dom.js';
import { formatBytes, formatDayHeading, formatDuration, plural } from './format.js';
import { RowView } from './file_row.js';
import { fetchDayEvents, gapList } from './gaps.js';
import { DayHighlights } from './highlights.js';
import { announce, showError } from './messages.js';

// A search opens the collapsed days holding its matches: the most recent this many, so a search
// over a year of recordings does not build every day's rows at once.
const REVEAL_DAYS = 14;

export class Library {
    /**
     * ctx: {clock, config, params(), reel, refreshFiles(), refreshStorage()}
     */
    constructor(root, ctx) {
        this.root = root;
        this.ctx = ctx;
        this.files = [];
        this.byName = new Map();
        this.active = new Set();
        this.statusKnown = false;
        this.filter = { q: '', from: '', to: '' };
        this.expanded = new Set();
        // Days a search opened (they close again when it is cleared), and those closed during it.
        this.revealed = new Set();
        this.closedInSearch = new Set();
        this.knownDays = new Set();
        this.days = new Map();
        this.rows = new Map();
        this.cutPrefill = new Map();
        this.loaded = false;
    }

    dayOf(file) {
        if (typeof file.date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(file.date)) return file.date.slice(0, 10);
        return this.ctx.clock.dayKey(file.start ?? file.mtime ?? 0);
    }

    setFiles(files) {
        if (files.length) this.ctx.clock.learnOffset(files[0].date);
        this.files = files;
        this.byName = new Map(files.map((f) => [f.name, f]));
        this.loaded = true;
    }

    /** The set of files isrd is writing now (from /api/status). */
    setActive(active) {
        const changed = !this.statusKnown || active.size !== this.active.size || [...active].some((n) => !this.active.has(n));
        this.active = active;
        this.statusKnown = true;
        if (changed) for (const row of this.rows.values()) row.update(this.byName.get(row.name) ?? row.file);
    }

    /** The latest /api/status decides; until it arrives, the listing's own flag. */
    isRecording(name) {
        return this.statusKnown ? this.active.has(name) : Boolean(this.byName.get(name)?.recording);
    }

    filterActive() {
        return Boolean(this.filter.q || this.filter.from || this.filter.to);
    }

    matches(file) {
        const { q, from, to } = this.filter;
        if (q && !file.name.toLowerCase().includes(q.toLowerCase())) return false;
        const day = this.dayOf(file);
        if (from && day < from) return false;
        if (to && day > to) return false;
        return true;
    }

    /** Lays out days and rows; returns {shown, total}. */
    render() {
        const groups = new Map();
        for (const file of this.files) {
            const key = this.dayOf(file);
            if (!groups.has(key)) groups.set(key, []);
            groups.get(key).push(file);
        }
        const keys = [...groups.keys()].sort().reverse();
        // The most recent day starts expanded; so does a new day that becomes the most recent.
        if (keys.length && !this.knownDays.has(keys[0])) this.expanded.add(keys[0]);
        for (const key of keys) this.knownDays.add(key);

        for (const [name, row] of this.rows) {
            if (!this.byName.has(name)) {
                row.destroy();
                this.rows.delete(name);
            }
        }
        for (const [key, day] of this.days) {
            if (!groups.has(key)) {
                day.highlights?.cancel();
                day.el.remove();
                this.days.delete(key);
            }
        }

        this.revealMatches(keys, groups);
        let shown = 0;
        let cursor = this.root.firstChild;
        while (cursor && !(cursor instanceof HTMLElement && cursor.classList.contains('day'))) {
            const next = cursor.nextSibling;
            cursor.remove();
            cursor = next;
        }
        for (const key of keys) {
            let day = this.days.get(key);
            if (!day) {
                day = new DayView(this, key);
                this.days.set(key, day);
            }
            const list = groups.get(key);
            const visible = list.filter((f) => this.matches(f));
            shown += visible.length;
            day.update(list, visible, this.isOpen(key));
            if (day.el === cursor) cursor = cursor.nextSibling;
            else this.root.insertBefore(day.el, cursor);
        }
        let empty = this.root.querySelector(':scope > .placeholder');
        const message = !this.loaded ? 'Loading recordings…'
            : this.files.length === 0 ? 'No recordings yet. Files appear here as soon as isrd starts writing them.'
                : shown === 0 ? 'No recordings match the filters.' : '';
        if (message) {
            if (!empty) empty = h('p', { class: 'placeholder' });
            empty.textContent = message;
            this.root.append(empty);
        } else {
            empty?.remove();
        }
        this.root.setAttribute('aria-busy', 'false');
        return { shown, total: this.files.length };
    }

    /** Open: expanded by the user, or revealed by the search. */
    isOpen(key) {
        return this.expanded.has(key) || this.revealed.has(key);
    }

    /** While a search is typed, the collapsed days with matches open; cleared, they close again. */
    revealMatches(keys, groups) {
        this.revealed.clear();
        if (!this.filter.q) {
            this.closedInSearch.clear();
            return;
        }
        for (const key of keys) {
            if (this.revealed.size >= REVEAL_DAYS) break;
            if (this.expanded.has(key) || this.closedInSearch.has(key)) continue;
            if (groups.get(key).some((f) => this.matches(f))) this.revealed.add(key);
        }
    }

    /** The user opens or closes a day. */
    expandDay(key, expanded) {
        if (expanded) {
            this.expanded.add(key);
            this.closedInSearch.delete(key);
        } else {
            this.expanded.delete(key);
            if (this.filter.q) this.closedInSearch.add(key);
        }
        this.render();
        this.ctx.navigated?.(key, expanded, expanded && this.days.get(key)?.highlightsOpen);
    }

    /** Opens a day without making a history entry (following a link). */
    showDay(key) {
        if (this.isOpen(key)) return;
        this.expanded.add(key);
        this.render();
    }

    /** The analysis parameters changed: re-run the analyses that are on screen. */
    onParamsChanged() {
        for (const row of this.rows.values()) {
            if (row.open.analysis && this.isOpen(this.dayOf(row.file))) row.loadAnalysis();
        }
        for (const day of this.days.values()) day.highlights?.onParamsChanged();
    }

    /** A file's row, shown: filters cleared and its day expanded if needed; null if it is gone. */
    revealRow(name) {
        const file = this.byName.get(name);
        if (!file) {
            showError(`${name} is no longer in the archive.`);
            return null;
        }
        if (!this.matches(file)) {
            this.ctx.clearFilters();
            announce('Filters cleared to show the file.');
        }
        this.expanded.add(this.dayOf(file));
        this.ctx.rerender();
        return this.rows.get(name) ?? null;
    }

    /** Shows a file's row and plays from t. */
    openFileAt(name, seconds) {
        const row = this.revealRow(name);
        if (!row) return;
        row.openPlayerAt(seconds, true);
        row.el.scrollIntoView({ block: 'center', behavior: 'smooth' });
        row.audio?.focus();
    }

    /** The file row shown above (step -1) or below (+1) a row, across open days; null at either end. */
    visibleRowNear(row, step) {
        const shown = [...this.root.querySelectorAll('section.day:not([hidden]) .day-body:not([hidden]) tr.file-row:not([hidden])')];
        const at = shown.indexOf(row.el);
        const other = at < 0 ? null : shown[at + step];
        return other ? this.rows.get(other.dataset.name) ?? null : null;
    }

    /** Pre-fills a file's cut panel (now, or when its row is first shown). */
    prefillCut(name, start, end) {
        this.cutPrefill.set(name, { start, end });
        this.rows.get(name)?.applyCutPrefill();
    }

    takeCutPrefill(name) {
        const range = this.cutPrefill.get(name);
        this.cutPrefill.delete(name);
        return range;
    }

    /** Removes a deleted file locally until the next listing. */
    forget(name) {
        forgetAnalyses(name);
        this.cutPrefill.delete(name);
        this.files = this.files.filter((f) => f.name !== name);
        this.byName.delete(name);
    }
}

class DayView {
    constructor(lib, key) {
        this.lib = lib;
        this.key = key;
        this.highlights = null;
        this.rowsShown = false;
        const bodyId = idFor('day-body', key);
        const hlId = idFor('day-hl', key);
        const headingId = idFor('day-heading', key);

        this.toggle = h('button', {
            type: 'button', class: 'day-toggle', 'aria-expanded': 'false', 'aria-controls': bodyId,
            onclick: () => lib.expandDay(key, !lib.isOpen(key)),
        },
        h('span', { class: 'chevron', 'aria-hidden': 'true' }),
        h('time', { class: 'day-date', datetime: key }, formatDayHeading(key)),
        this.meta = h('span', { class: 'day-meta' }));

        this.hlButton = h('button', {
            type: 'button', class: 'hl-toggle secondary', 'aria-expanded': 'false', 'aria-controls': hlId,
            'aria-label': `Highlights of ${key}`, onclick: () => this.toggleHighlights(true),
            title: `Highlights of ${key}`,
        }, h('span', { 'aria-hidden': 'true' }, '★'), h('span', { class: 'button-text' }, ' Highlights'));
        this.hlPanel = h('div', { class: 'highlights', id: hlId, hidden: true, 'aria-label': `Highlights of ${key}`, role: 'region' });

        this.tbody = h('tbody');
        // The ledger's gaps of the day, fetched when the day is first opened.
        this.gaps = h('div', { class: 'day-gaps-slot', 'aria-live': 'polite' });
        this.gapsLoaded = false;
        this.body = h('div', { class: 'day-body', id: bodyId, hidden: true },
            h('table', { class: 'files' },
                h('caption', { class: 'visually-hidden' }, `Recordings of ${key}`),
                h('thead', {}, h('tr', {},
                    h('th', { scope: 'col', class: 'start' }, 'Start'),
                    h('th', { scope: 'col', class: 'name' }, 'Recording'),
                    h('th', { scope: 'col' }, 'Duration'),
                    h('th', { scope: 'col' }, 'Size'),
                    h('th', { scope: 'col' }, 'Format'),
                    h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
                this.tbody),
            // Below the files: arriving later, it moves none of them.
            this.gaps);

        this.el = h('section', { class: 'day', dataset: { day: key }, 'aria-labelledby': headingId },
            h('div', { class: 'day-head' },
                h('h2', { id: headingId, class: 'day-heading' }, this.toggle),
                this.hlButton),
            this.hlPanel,
            this.body);
    }

    update(list, visible, expanded) {
        this.el.hidden = visible.length === 0;
        let seconds = 0;
        let bytes = 0;
        let live = 0;
        for (const f of visible) {
            bytes += f.size || 0;
            if (this.lib.isRecording(f.name)) live++;
            else if (Number.isFinite(f.duration)) seconds += f.duration;
        }
        const count = visible.length === list.length ? plural(list.length, 'file') : `${visible.length} of ${plural(list.length, 'file')}`;
        this.meta.textContent = `${count} · ${formatDuration(seconds)}${live ? ' + live' : ''} · ${formatBytes(bytes)}`;
        this.el.dataset.count = String(visible.length);

        this.toggle.setAttribute('aria-expanded', String(expanded));
        this.el.classList.toggle('expanded', expanded);
        this.body.hidden = !expanded;
        if (!expanded && !this.rowsShown) return; // collapsed days build no rows and fetch nothing
        this.rowsShown = true;
        if (expanded && !this.gapsLoaded) this.loadGaps();

        // One waveform opens by itself, not a wall of them: with several cached analyses in the
        // day, each row shows a one-line summary that opens its waveform on request.
        const params = this.lib.ctx.params();
        const cached = list.filter((f) => !this.lib.isRecording(f.name) && hasCachedAnalysis(f, params)).length;
        let cursor = this.tbody.firstChild;
        for (const file of list) {
            let row = this.lib.rows.get(file.name);
            if (!row) {
                row = new RowView(this.lib, file);
                this.lib.rows.set(file.name, row);
            }
            row.update(file);
            row.setFiltered(!this.lib.matches(file));
            for (const node of [row.el, row.detail]) {
                if (node === cursor) cursor = cursor.nextSibling;
                else this.tbody.insertBefore(node, cursor);
            }
            if (expanded) row.onShown({ compact: cached > 1 });
        }
    }

    async loadGaps() {
        this.gapsLoaded = true;
        try {
            const body = await fetchDayEvents(this.key);
            replaceChildren(this.gaps, gapList(this.key, body, this.lib.ctx.clock));
        } catch (e) {
            this.gapsLoaded = false; // tried again when the day is next opened
            replaceChildren(this.gaps, h('p', { class: 'day-gaps day-gaps-unknown' }, `Gaps unknown: ${e.message}`));
        }
    }

    get highlightsOpen() {
        return !this.hlPanel.hidden;
    }

    toggleHighlights(user = true) {
        const open = this.hlPanel.hidden;
        this.hlPanel.hidden = !open;
        this.hlButton.setAttribute('aria-expanded', String(open));
        this.el.classList.toggle('hl-open', open);
        if (open) {
            this.highlights ??= new DayHighlights(this.lib.ctx, this.key, this.hlPanel);
            this.highlights.load();
        } else {
            this.highlights?.cancel();
        }
        if (user) this.lib.ctx.navigated?.(this.key, this.lib.isOpen(this.key) || open, open);
    }
}
