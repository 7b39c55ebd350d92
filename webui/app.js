// isr web UI: wires the page together — polling, filters, detection settings, keyboard shortcuts,
// deep links.

import { getJson } from './api.js';
import { isTypingTarget } from './dom.js';
import { formatBytes, plural, ZoneClock } from './format.js';
import { Library } from './library.js';
import { Links } from './links.js';
import { announce, clearError, initMessages, showError } from './messages.js';
import { RecorderView } from './recorder.js';
import { Reel } from './reel.js';

const DEFAULT_CONFIG = {
    margin: 12, min_gap: 2, min_duration: 0.5, read_only: false, timezone: '',
    limits: { margin_max: 60, min_gap_max: 600, min_duration_max: 600, clip_max_seconds: 600 },
};
const STORAGE_POLL_MS = 60000;
const PARAM_DEBOUNCE_MS = 500;

const $ = (id) => document.getElementById(id);

/** Status poll interval: 5 s, or ?poll=SECONDS (0.5–300) for a wall display or a test. */
function pollInterval() {
    const v = Number(new URLSearchParams(location.search).get('poll'));
    return Number.isFinite(v) && v >= 0.5 && v <= 300 ? v * 1000 : 5000;
}

const app = {
    config: DEFAULT_CONFIG,
    params: { margin: 12, min_gap: 2, min_duration: 0.5 },
    activeKey: null,
    pendingRefresh: false,
    filesRequest: null,
    filesAgain: false,
    // The player Space and P act on: the one last played or focused.
    lastPlayer: null,
};

function anyAudioPlaying() {
    return [...document.querySelectorAll('audio')].some((a) => !a.paused && !a.ended);
}

// ---- files ----

function renderList() {
    const { shown, total } = app.library.render();
    const filtered = app.library.filterActive();
    $('count').textContent = filtered ? `${shown} of ${total} shown` : plural(total, 'recording');
    $('filters-clear').hidden = !filtered;
}

/** One /api/files call; concurrent requests coalesce into one more call afterwards. */
async function refreshFiles() {
    if (app.filesRequest) {
        app.filesAgain = true;
        return app.filesRequest;
    }
    app.filesRequest = (async () => {
        do {
            app.filesAgain = false;
            try {
                app.library.setFiles(await getJson('api/files'));
                renderList();
            } catch (e) {
                showError(`Cannot list the recordings: ${e.message}`);
                const days = $('days');
                days.setAttribute('aria-busy', 'false');
                const placeholder = days.querySelector('.placeholder');
                if (!app.library.loaded && placeholder) placeholder.textContent = 'The recordings could not be listed. Try ↻ Refresh.';
            }
        } while (app.filesAgain);
    })();
    try {
        await app.filesRequest;
    } finally {
        app.filesRequest = null;
    }
}

/** Refreshes the list now, or once playback stops (a re-render must not disturb listening). */
function requestFilesRefresh() {
    if (anyAudioPlaying()) {
        app.pendingRefresh = true;
        return;
    }
    app.pendingRefresh = false;
    refreshFiles();
}

// ---- status and storage ----

async function pollStatus() {
    try {
        const status = await getJson('api/status');
        app.recorder.update(status);
        const active = status.running && !status.stale && Array.isArray(status.active) ? status.active : [];
        app.library.setActive(new Set(active));
        const key = [...active].sort().join('\n');
        if (app.activeKey !== null && key !== app.activeKey) requestFilesRefresh();
        else if (app.pendingRefresh) requestFilesRefresh();
        app.activeKey = key;
    } catch (e) {
        app.recorder.unreachable(e.message);
    }
    setTimeout(pollStatus, app.pollMs);
}

async function refreshStorage() {
    const el = $('storage');
    try {
        const st = await getJson('api/storage');
        const free = st.available_bytes ?? st.free_bytes;
        const low = Number.isFinite(free) && st.total_bytes > 0 && free / st.total_bytes < 0.05;
        el.classList.toggle('warn', low);
        app.recorder.setLowDisk(low ? `${formatBytes(free)} free of ${formatBytes(st.total_bytes)}` : null);
        const disk = Number.isFinite(free) ? `${low ? '⚠ Low disk space: ' : ''}${formatBytes(free)} free of ${formatBytes(st.total_bytes)}` : '';
        el.textContent = [disk, `recordings ${formatBytes(st.recordings_bytes)} in ${plural(st.recordings_count ?? 0, 'file')}`]
            .filter(Boolean).join(' · ');
    } catch (e) {
        el.textContent = `Storage unknown: ${e.message}`;
    }
}

// ---- detection settings ----

const PARAM_INPUTS = [
    { key: 'margin', id: 'margin', label: 'Margin', unit: 'dB', max: 'margin_max' },
    { key: 'min_gap', id: 'min-gap', label: 'Grace period', unit: 's', max: 'min_gap_max' },
    { key: 'min_duration', id: 'min-duration', label: 'Min duration', unit: 's', max: 'min_duration_max' },
];

function seedControls() {
    for (const p of PARAM_INPUTS) {
        const input = $(p.id);
        input.max = String(app.config.limits?.[p.max] ?? input.max);
        input.value = String(app.params[p.key]);
    }
    showDetectionSummary();
}

/** The closed Detection block still says what it is set to. */
function showDetectionSummary() {
    const p = app.params;
    $('detection-summary').textContent = `${p.margin} dB · grace ${p.min_gap} s · min ${p.min_duration} s`;
}

function readControls() {
    const next = {};
    const errors = [];
    for (const p of PARAM_INPUTS) {
        const input = $(p.id);
        const max = Number(input.max);
        const v = input.value.trim() === '' ? NaN : Number(input.value);
        const ok = Number.isFinite(v) && v >= 0 && v <= max;
        input.setAttribute('aria-invalid', String(!ok));
        if (ok) next[p.key] = v;
        else errors.push(`${p.label} must be a number from 0 to ${max} ${p.unit}.`);
    }
    return { next, errors };
}

function applyControls() {
    const { next, errors } = readControls();
    const box = $('controls-error');
    box.hidden = errors.length === 0;
    box.textContent = errors.join(' ');
    if (errors.length) return;
    if (PARAM_INPUTS.every((p) => next[p.key] === app.params[p.key])) return;
    app.params = next;
    showDetectionSummary();
    announce(`Detection settings: margin ${next.margin} dB, grace ${next.min_gap} s, min duration ${next.min_duration} s.`);
    app.library.onParamsChanged();
}

function initControls() {
    seedControls();
    let timer = 0;
    for (const p of PARAM_INPUTS) {
        const input = $(p.id);
        input.addEventListener('input', () => {
            clearTimeout(timer);
            timer = setTimeout(applyControls, PARAM_DEBOUNCE_MS);
        });
        input.addEventListener('change', () => {
            clearTimeout(timer);
            applyControls();
        });
    }
    $('controls-reset').addEventListener('click', () => {
        app.params = { margin: app.config.margin, min_gap: app.config.min_gap, min_duration: app.config.min_duration };
        seedControls();
        for (const p of PARAM_INPUTS) $(p.id).setAttribute('aria-invalid', 'false');
        $('controls-error').hidden = true;
        app.library.onParamsChanged();
        announce('Detection settings reset to the server defaults.');
    });
}

// ---- filters ----

/** A From/To value: '' (no bound), a real YYYY-MM-DD date, or null when it is neither. */
function isoDate(text) {
    const t = text.trim();
    if (t === '') return '';
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
    if (!m) return null;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] ? t : null;
}

/**
 * Reads the date filters. An invalid date filters nothing and is marked; while typing, only a
 * complete-looking value is judged, so "2025-0" is not called wrong yet.
 */
function readDates(final) {
    const errors = [];
    const bounds = {};
    for (const [key, id, label] of [['from', 'date-from', 'From'], ['to', 'date-to', 'To']]) {
        const input = $(id);
        const value = isoDate(input.value);
        const judge = final || input.value.trim().length >= 10;
        const bad = value === null && judge;
        input.setAttribute('aria-invalid', String(bad));
        if (bad) errors.push(`${label}: "${input.value.trim()}" is not a date; write it as YYYY-MM-DD, e.g. 2025-06-15.`);
        bounds[key] = value ?? '';
    }
    const box = $('date-error');
    box.textContent = errors.join(' ');
    box.hidden = errors.length === 0;
    return bounds;
}

function clearFilters() {
    $('search').value = '';
    $('date-from').value = '';
    $('date-to').value = '';
    readDates(true);
    app.library.filter = { q: '', from: '', to: '' };
    renderList();
}

function initFilters() {
    const update = (final) => {
        app.library.filter = { q: $('search').value.trim(), ...readDates(final) };
        renderList();
    };
    $('search').addEventListener('input', () => update(false));
    // Escape clears the search in every browser, not only where type=search does it natively.
    $('search').addEventListener('keydown', (e) => {
        if (e.key !== 'Escape' || !$('search').value) return;
        e.preventDefault();
        $('search').value = '';
        update(false);
    });
    for (const id of ['date-from', 'date-to']) {
        $(id).addEventListener('input', () => update(false));
        $(id).addEventListener('change', () => update(true));
    }
    $('filters-clear').addEventListener('click', () => {
        clearFilters();
        announce('Filters cleared.');
        $('search').focus();
    });
    $('refresh').addEventListener('click', async () => {
        clearError();
        await Promise.all([refreshFiles(), refreshStorage()]);
        announce(`List refreshed: ${plural(app.library.files.length, 'recording')}.`);
    });
}

// ---- keyboard and playback ----

// Where Space already means something: pressing a button, ticking a box, a player's own controls.
const SPACE_IS_NATIVE = 'button, a[href], summary, select, input, textarea, audio, video, [contenteditable], '
    + '[role="button"], [role="checkbox"], [role="switch"], [role="radio"], [role="tab"], [role="menuitem"], [role="option"], [role="slider"]';

function isShown(audio) {
    return audio?.isConnected && !audio.closest('[hidden]');
}

/** The player Space toggles: the last one played or focused, else the reel, else an open file player. */
function currentPlayer() {
    if (isShown(app.lastPlayer)) return app.lastPlayer;
    const reel = $('reel-audio');
    if (isShown(reel)) return reel;
    return [...document.querySelectorAll('.player-panel audio')].find(isShown) ?? null;
}

function togglePlayback() {
    const audio = currentPlayer();
    if (!audio) {
        announce('No player is open. Choose ▶ Play on a recording or a section.');
        return;
    }
    if (audio.paused) audio.play().catch(() => showError('The browser did not start playback; use the player\'s own play button.'));
    else audio.pause();
}

/** P: to the section player if it is open, else the current file's player. */
function focusPlayer() {
    const reel = $('reel-audio');
    const target = isShown(reel) ? reel : (app.lastPlayer !== reel && isShown(app.lastPlayer) ? app.lastPlayer : currentPlayer());
    if (!target) {
        announce('No player is open.');
        return;
    }
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'nearest' });
}

function openHelp() {
    const dialog = $('help');
    const opener = document.activeElement;
    dialog.addEventListener('close', () => {
        if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    }, { once: true });
    dialog.showModal();
    $('help-close').focus();
}

function initKeyboard() {
    document.addEventListener('keydown', (e) => {
        if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
        if (isTypingTarget(e.target) || document.querySelector('dialog[open]')) return;
        if (e.key === 'j' || e.key === 'J') {
            e.preventDefault();
            app.reel.step(-1);
        } else if (e.key === 'k' || e.key === 'K') {
            e.preventDefault();
            app.reel.step(1);
        } else if (e.key === '/') {
            e.preventDefault();
            $('search').focus();
        } else if (e.key === ' ') {
            if (e.target instanceof Element && e.target.closest(SPACE_IS_NATIVE)) return;
            e.preventDefault();
            togglePlayback();
        } else if (e.key === 'p' || e.key === 'P') {
            e.preventDefault();
            focusPlayer();
        } else if (e.key === '?') {
            e.preventDefault();
            openHelp();
        }
    });
    $('help-close').addEventListener('click', () => $('help').close());
    // A click on the backdrop (outside the dialog's box) closes it too.
    $('help').addEventListener('click', (e) => {
        if (e.target === $('help')) $('help').close();
    });
    const remember = (e) => {
        if (e.target instanceof HTMLAudioElement) app.lastPlayer = e.target;
    };
    document.addEventListener('focusin', remember);
    // One thing plays at a time.
    document.addEventListener('play', (e) => {
        remember(e);
        for (const audio of document.querySelectorAll('audio')) if (audio !== e.target && !audio.paused) audio.pause();
    }, true);
    const maybeRefresh = () => {
        if (app.pendingRefresh && !anyAudioPlaying()) requestFilesRefresh();
    };
    document.addEventListener('pause', maybeRefresh, true);
    document.addEventListener('ended', maybeRefresh, true);
}

async function boot() {
    initMessages();
    app.pollMs = pollInterval();
    try {
        app.config = { ...DEFAULT_CONFIG, ...(await getJson('api/config')) };
    } catch (e) {
        showError(`Cannot read the server settings (using defaults): ${e.message}`);
    }
    app.params = { margin: app.config.margin, min_gap: app.config.min_gap, min_duration: app.config.min_duration };
    document.body.classList.toggle('read-only', Boolean(app.config.read_only));
    const clock = new ZoneClock(app.config.timezone);
    const ctx = {
        clock,
        config: app.config,
        params: () => app.params,
        pollMs: app.pollMs,
        refreshFiles,
        refreshStorage,
        rerender: renderList,
        clearFilters,
    };
    app.recorder = new RecorderView(clock, {
        readOnly: Boolean(app.config.read_only),
        onSaved: () => requestFilesRefresh(),
    });
    app.reel = new Reel({
        clock,
        config: app.config,
        lookup: (name) => app.library.byName.get(name),
        openFileAt: (name, t) => app.library.openFileAt(name, t),
        prefillCut: (name, start, end) => app.library.prefillCut(name, start, end),
    });
    ctx.reel = app.reel;
    app.library = new Library($('days'), ctx);
    app.links = new Links({ library: app.library, reel: app.reel, params: () => app.params });
    ctx.links = app.links;
    ctx.navigated = (day, expanded, highlights) => app.links.dayChanged(day, expanded, highlights);
    initControls();
    initFilters();
    initKeyboard();
    $('read-only-note').hidden = !app.config.read_only;

    app.links.start();

    await Promise.all([refreshFiles(), pollStatus(), refreshStorage()]);
    setInterval(refreshStorage, STORAGE_POLL_MS);
    // A link opens once the listing is there; ready is set after, so a test sees the opened link.
    if (location.hash) await app.links.restore(location.hash);
    document.body.dataset.ready = 'true';
}

boot();
