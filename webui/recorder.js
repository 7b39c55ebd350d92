// The header's recorder status: is isrd running, and what each source is doing. Collapsed, it is
// one line that still names a source in trouble; expanded, a card per source.

import { saveReplay, streamUrl } from './api.js';
import { h, replaceChildren } from './dom.js';
import { baseName, formatAge, formatBytes, formatDb, plural } from './format.js';
import { announce } from './messages.js';

// A time as isrd wrote it (ISO 8601 in the recorder's own zone, like the file names): "21:18:04",
// with the date in front when it is not the recorder's today.
function recorderClock(iso) {
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(String(iso));
    if (!m) return String(iso);
    const today = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    return m[1] === today ? m[2] : `${m[1]} ${m[2]}`;
}

/** Below this RMS level a recording source is probably capturing nothing (unplugged mic, dead stream). */
export const SILENT_DBFS = -70;
/** …in this many consecutive status readings (one reading is one second of audio). */
const SILENT_READINGS = 2;
const METER_FLOOR = -90;
const OPEN_KEY = 'isr.recorderOpen';

const STATES = {
    starting: { icon: '◌', text: 'starting' },
    connecting: { icon: '◌', text: 'connecting' },
    recording: { icon: '●', text: 'recording' },
    retrying: { icon: '↻', text: 'retrying' },
    failed: { icon: '✕', text: 'failed' },
    paused: { icon: '❚❚', text: 'paused' },
    stopped: { icon: '■', text: 'stopped' },
};


function percent(db) {
    if (!Number.isFinite(db)) return 0;
    return Math.max(0, Math.min(100, ((db - METER_FLOOR) / -METER_FLOOR) * 100));
}

/** The lengths offered for "Save last N s", up to the ring's own. */
function replayLengths(ring) {
    const lengths = [10, 30, 60, 120, 300].filter((s) => s < ring);
    return [...lengths, ring];
}

export class RecorderView {
    /** `options.readOnly`: the server refuses saves, so none is offered. `onSaved(path)`: a save landed. */
    constructor(clock, { readOnly = false, onSaved = () => {} } = {}) {
        this.clock = clock;
        this.readOnly = readOnly;
        this.onSaved = onSaved;
        this.cards = new Map(); // source → {li, info, replay}: kept, so a save's button keeps focus
        this.stateEl = document.getElementById('recorder-state');
        this.listEl = document.getElementById('sources');
        this.quiet = new Map(); // source → consecutive silent readings
        this.lastStates = new Map();
        this.lastAlarms = new Map();
        this.lastPill = '';
        this.problems = [];
        this.lowDisk = null; // "1.2 GB free of 100 GB" while the recordings' disk is under 5 % free
        this.lastStatus = null;
        this.toggle = document.getElementById('recorder-toggle');
        this.panel = document.getElementById('recorder-panel');
        this.toggle.addEventListener('click', () => this.setExpanded(this.panel.hidden));
        let open = false;
        try {
            open = localStorage.getItem(OPEN_KEY) === '1';
        } catch {
            // Storage may be disabled: start collapsed.
        }
        this.setExpanded(open, false);
    }

    setExpanded(open, remember = true) {
        this.panel.hidden = !open;
        this.toggle.setAttribute('aria-expanded', String(open));
        document.getElementById('recorder').classList.toggle('expanded', open);
        if (!remember) return;
        try {
            localStorage.setItem(OPEN_KEY, open ? '1' : '0');
        } catch {
            // See the constructor.
        }
    }

    unreachable(message) {
        this.setState('warn', '⚠ Status unavailable', message);
    }

    setState(kind, pill, text) {
        replaceChildren(this.stateEl,
            h('span', { class: `pill pill-${kind}` }, pill),
            text ? h('span', { class: 'recorder-text' }, text) : null);
        this.stateEl.parentElement.title = `${pill}${text ? `: ${text}` : ''}`;
        this.stateEl.parentElement.dataset.kind = kind;
        if (this.lastPill && pill !== this.lastPill) announce(`${pill.replace(/^[^\w]+/, '')}${text ? `: ${text}` : ''}`);
        this.lastPill = pill;
    }

    /** The page's own look at the disk (api/storage): shown on the strip even when collapsed. */
    setLowDisk(text) {
        if (text === this.lowDisk) return;
        this.lowDisk = text;
        if (this.lastStatus) this.update(this.lastStatus);
    }

    update(status) {
        this.lastStatus = status;
        const sources = Array.isArray(status.sources) ? status.sources : [];
        const active = Array.isArray(status.active) ? status.active : [];
        const stale = Boolean(status.stale || !status.running);
        const names = sources.map((src) => src.name);
        if (names.join('\n') !== [...this.cards.keys()].join('\n')) {
            this.cards = new Map(names.map((name) => [name, this.card(name)]));
            replaceChildren(this.listEl, ...[...this.cards.values()].map((c) => c.li));
        }
        this.problems = [];
        for (const src of sources) {
            const card = this.cards.get(src.name);
            const { className, dataset, children } = this.source(src, stale);
            card.li.className = className;
            Object.assign(card.li.dataset, dataset);
            replaceChildren(card.info, ...children);
            this.updateReplay(card, src, stale);
        }
        for (const name of [...this.quiet.keys()]) if (!this.cards.has(name)) this.quiet.delete(name);
        this.listEl.hidden = sources.length === 0;

        if (status.stale) {
            this.setState('warn', '⚠ Recorder status is stale',
                `isrd's last update was ${formatAge(status.age_seconds)}; it may have stopped or hung. Nothing is being recorded as far as this page knows.`);
            return;
        }
        if (!status.running) {
            this.setState('off', '○ Recorder not running',
                status.error ? status.error : 'No status from isrd, so nothing is being recorded here. The archive can still be browsed.');
            return;
        }
        const failing = sources.filter((src) => src.state === 'failed' || src.state === 'retrying').length;
        const recording = sources.filter((src) => src.state === 'recording').length;
        const counts = `${plural(sources.length, 'source')}, ${recording} recording · ${plural(active.length, 'file')} being written`;
        const diskAlarm = status.alarm?.kind === 'disk_low';
        const lowDisk = this.lowDisk && !diskAlarm ? this.lowDisk : null;
        // The trouble first: collapsed, the line is cut at its end. The disk is named in words
        // unless the pill already does.
        const line = (disk) => [disk, ...this.problems, counts].filter(Boolean).join(' · ');
        const text = line(lowDisk && `Low disk space: ${lowDisk}`);
        // isrd's disk guard could not free enough space (README "Retention and the disk guard").
        if (diskAlarm) this.setState('warn', '⚠ Disk low', `${status.alarm.message} · ${text}`);
        else if (failing) this.setState('warn', `⚠ ${plural(failing, 'source')} not recording`, text);
        else if (lowDisk) this.setState('warn', '⚠ Low disk space', line(lowDisk));
        else if (this.problems.length) this.setState('warn', `⚠ ${plural(this.problems.length, 'source')} need${this.problems.length === 1 ? 's' : ''} attention`, text);
        else this.setState('ok', '● Recorder running', text);
    }

    card(name) {
        const info = h('div', { class: 'source-info' });
        const replay = h('div', { class: 'source-replay', hidden: true });
        const li = h('li', { class: 'source' }, info, replay);
        return { name, li, info, replay, ring: 0, busy: false };
    }

    /** "Save last N s" for a source with a replay ring; built once per ring length. */
    updateReplay(card, src, stale) {
        const ring = Number.isFinite(src.replay_seconds) ? src.replay_seconds : 0;
        const show = ring > 0 && !this.readOnly;
        card.replay.hidden = !show;
        if (!show) return;
        if (card.ring !== ring) {
            card.ring = ring;
            const id = `replay-${card.name.replace(/[^\w-]/g, '_')}`;
            card.select = h('select', { id, 'aria-label': `Seconds of ${card.name} to save` },
                ...replayLengths(ring).map((s) => h('option', { value: String(s) }, `${s} s`)));
            card.select.value = String(Math.min(30, ring));
            card.button = h('button', { type: 'button', class: 'secondary small' }, 'Save last');
            card.button.addEventListener('click', () => this.save(card));
            card.result = h('p', { class: 'replay-result', role: 'status' });
            replaceChildren(card.replay,
                h('div', { class: 'replay-controls' }, card.button, card.select),
                card.result);
        }
        card.button.disabled = card.busy || stale;
        card.button.title = stale ? 'isrd is not running' : `Save the last seconds of ${card.name} to a file`;
    }

    async save(card) {
        const seconds = Number(card.select.value);
        card.busy = true;
        card.button.disabled = true;
        replaceChildren(card.result, `Saving the last ${seconds} s…`);
        card.result.className = 'replay-result';
        try {
            const saved = await saveReplay(card.name, seconds);
            replaceChildren(card.result, `Saved ${Number(saved.seconds).toFixed(1)} s: `,
                h('a', { href: streamUrl(saved.path), title: saved.path, target: '_blank', rel: 'noopener' }, baseName(saved.path)));
            announce(`Saved ${Number(saved.seconds).toFixed(1)} seconds of ${card.name}.`);
            this.onSaved(saved.path);
        } catch (e) {
            card.result.className = 'replay-result replay-error';
            replaceChildren(card.result, `Not saved: ${e.message}`);
        } finally {
            card.busy = false;
            card.button.disabled = false;
        }
    }

    source(src, stale) {
        let state = STATES[src.state] ?? { icon: '?', text: String(src.state ?? 'unknown') };
        // A replay-only source records nothing: it captures into its ring.
        if (src.record === false && src.state === 'recording') state = { ...state, text: 'capturing' };
        const previous = this.lastStates.get(src.name);
        if (previous && previous !== src.state && !stale) {
            announce(`Source ${src.name} is ${state.text}${src.error ? `: ${src.error}` : ''}.`);
        }
        this.lastStates.set(src.name, src.state);

        // isrd's alarm (silence_alarm_seconds): shown on the card and announced when it changes.
        const alarm = src.alarm && typeof src.alarm === 'object' ? src.alarm : null;
        const alarmKey = alarm ? String(alarm.kind) : '';
        if (this.lastAlarms.has(src.name) && this.lastAlarms.get(src.name) !== alarmKey && !stale) {
            announce(alarm ? `Alarm on ${src.name}: ${alarm.message ?? alarm.kind}.` : `Alarm on ${src.name} cleared.`);
        }
        this.lastAlarms.set(src.name, alarmKey);
        const alarmSince = alarm && alarm.since ? new Date(alarm.since) : null;

        const level = Number.isFinite(src.level_dbfs) ? src.level_dbfs : null;
        const peak = Number.isFinite(src.peak_dbfs) ? src.peak_dbfs : null;
        const recording = src.state === 'recording' && !stale;
        const quiet = recording && level !== null && level < SILENT_DBFS ? (this.quiet.get(src.name) ?? 0) + 1 : 0;
        this.quiet.set(src.name, quiet);
        const silent = quiet >= SILENT_READINGS;
        if (!stale) {
            if (src.state === 'failed' || src.state === 'retrying') this.problems.push(`${src.name} ${state.text}${src.error ? ` — ${src.error}` : ''}`);
            else if (alarm) this.problems.push(`${src.name} — ${alarm.kind === 'no_data' ? 'no data' : alarm.kind}${alarm.message ? `: ${alarm.message}` : ''}`);
            else if (silent) this.problems.push(`${src.name} is silent`);
        }

        const meterText = level === null ? 'no level' : `${formatDb(level, 'dBFS')}${peak !== null ? ` (peak ${formatDb(peak, 'dBFS')})` : ''}`;
        const fill = h('span', { class: 'meter-fill' });
        fill.style.width = `${percent(level)}%`;
        const peakMark = h('span', { class: 'meter-peak', hidden: peak === null });
        peakMark.style.left = `${percent(peak)}%`;
        const meter = h('span', {
            class: `meter${silent ? ' meter-silent' : ''}`, role: 'meter',
            'aria-label': `${src.name} input level`,
            'aria-valuemin': METER_FLOOR, 'aria-valuemax': 0,
            'aria-valuenow': level === null ? METER_FLOOR : Math.max(METER_FLOOR, Math.min(0, level)).toFixed(1),
            'aria-valuetext': meterText,
        }, fill, peakMark);

        const details = [];
        if (src.file) details.push(h('span', { class: 'source-file', title: src.file }, baseName(src.file)));
        const fmt = [src.format, src.sample_rate ? `${+(src.sample_rate / 1000).toFixed(1)} kHz` : null,
            src.channels ? (src.channels === 1 ? 'mono' : src.channels === 2 ? 'stereo' : `${src.channels} ch`) : null,
            src.bitrate_kbps ? `${Math.round(src.bitrate_kbps)} kbit/s` : null].filter(Boolean).join(' ');
        if (fmt) details.push(h('span', {}, fmt));
        if (Number.isFinite(src.bytes) && src.file) details.push(h('span', {}, formatBytes(src.bytes)));
        const counters = [];
        if (src.reconnects) counters.push(plural(src.reconnects, 'reconnect'));
        if (src.xruns) counters.push(plural(src.xruns, 'xrun'));
        if (src.lost_frames) counters.push(`${src.lost_frames} lost frames`);
        // isrd's live detector (live_events): "loud event 03:12:07, +24 dB, 2.3 s".
        const ev = src.last_event && typeof src.last_event === 'object' ? src.last_event : null;
        const eventText = ev && ev.start ? `${ev.ongoing ? 'loud event now' : 'loud event'} ${recorderClock(ev.start)}, +${Math.round(Number(ev.score) || 0)} dB${ev.ongoing ? '' : `, ${(Number(ev.duration) || 0).toFixed(1)} s`}` : null;

        return {
            className: `source source-${src.state}${stale ? ' source-stale' : ''}`,
            dataset: { source: src.name, state: src.state },
            children: [
        h('div', { class: 'source-head' },
            h('strong', { class: 'source-name' }, src.name),
            src.type ? h('span', { class: 'source-type' }, src.type) : null,
            src.record === false ? h('span', { class: 'source-type' }, 'replay only') : null,
            h('span', { class: `state state-${src.state}` },
                h('span', { class: src.state === 'recording' ? 'rec-dot' : 'state-icon', 'aria-hidden': 'true' }, src.state === 'recording' ? '' : state.icon),
                ` ${state.text}${stale ? ' (last known)' : ''}`)),
        h('div', { class: 'source-level' }, meter, h('span', { class: 'meter-text' }, meterText)),
        alarm ? h('p', { class: 'source-alarm', dataset: { kind: String(alarm.kind ?? '') } },
            h('span', { 'aria-hidden': 'true' }, '⚠ '),
            h('strong', {}, alarm.kind === 'no_data' ? 'Alarm: no data' : alarm.kind === 'silence' ? 'Alarm: silence' : `Alarm: ${alarm.kind}`),
            alarmSince && !Number.isNaN(alarmSince.getTime()) ? ` since ${recorderClock(alarm.since)}` : '',
            alarm.message ? ` — ${alarm.message}` : '') : null,
        !alarm && silent ? h('p', { class: 'source-warning' }, `⚠ Source is silent: level below ${formatDb(SILENT_DBFS, 'dBFS')} (check the microphone, cable or stream).`) : null,
        details.length ? h('p', { class: 'source-details' }, details.flatMap((d, i) => (i ? [' · ', d] : [d]))) : null,
        src.stream_title ? h('p', { class: 'source-title' }, h('span', { 'aria-hidden': 'true' }, '♪ '), src.stream_title) : null,
        counters.length ? h('p', { class: 'source-counters' }, counters.join(' · ')) : null,
        eventText ? h('p', { class: 'source-event', dataset: { ongoing: String(!!ev.ongoing) } }, eventText) : null,
        src.error ? h('p', { class: 'source-error' }, src.error) : null,
            ].filter(Boolean),
        };
    }
}
