// Formatting and parsing of times, sizes and levels.

const MINUS = '\u2212';

function pad2(n) {
    return String(n).padStart(2, '0');
}

/** Seconds as m:ss or h:mm:ss; null/undefined as an em dash. */
export function formatDuration(seconds) {
    if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
    const total = Math.max(0, Math.round(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const sec = total % 60;
    return h > 0 ? `${h}:${pad2(m)}:${pad2(sec)}` : `${m}:${pad2(sec)}`;
}

/** An offset into a file, m:ss or h:mm:ss, with tenths when asked. */
export function formatOffset(seconds, tenths = false) {
    if (!tenths) return formatDuration(Math.floor(seconds));
    const whole = Math.floor(seconds);
    const frac = Math.floor((seconds - whole) * 10);
    return `${formatDuration(whole)}.${frac}`;
}

/**
 * Parses "90", "1:30", "1:02:03", "1:30.5" into seconds; NaN when malformed.
 * Minutes and seconds after the first field must be below 60.
 */
export function parseClock(text) {
    const t = String(text ?? '').trim();
    if (!/^\d+(:\d{1,2}){0,2}(\.\d+)?$/.test(t)) return NaN;
    const parts = t.split(':');
    let total = 0;
    for (let i = 0; i < parts.length; i++) {
        const v = Number(parts[i]);
        if (i > 0 && v >= 60) return NaN;
        total = total * 60 + v;
    }
    return total;
}

/** Bytes in kB/MB/GB/TB (powers of 1000, like disk tools). */
export function formatBytes(bytes) {
    if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
    const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
    let v = bytes;
    let i = 0;
    while (v >= 1000 && i < units.length - 1) {
        v /= 1000;
        i++;
    }
    const digits = i === 0 || v >= 100 ? 0 : 1;
    return `${v.toFixed(digits)} ${units[i]}`;
}

/** A dB value with a real minus sign: −45 dBFS. */
export function formatDb(db, unit = 'dB', digits = 0) {
    if (db === null || db === undefined || !Number.isFinite(db)) return '—';
    const text = Math.abs(db).toFixed(digits);
    return `${db < 0 && Number(text) !== 0 ? MINUS : ''}${text} ${unit}`;
}

/** A level above a reference with its sign: +28 dB (a score above the background). */
export function formatDbGain(db, digits = 0) {
    const text = formatDb(db, 'dB', digits);
    return Number.isFinite(db) && Number(Math.abs(db).toFixed(digits)) !== 0 && db > 0 ? `+${text}` : text;
}

export function plural(n, one, many = `${one}s`) {
    return `${n} ${n === 1 ? one : many}`;
}

/**
 * Formats instants in the server's time zone (the zone of the recordings' names). When the
 * browser does not know that zone, it uses the UTC offset learned from the listing's ISO dates.
 */
export class ZoneClock {
    constructor(timeZone) {
        this.offset = null; // seconds east of UTC, for the fallback
        this.formats = null;
        if (timeZone) {
            try {
                this.formats = ZoneClock.formatsFor(timeZone);
            } catch {
                // Unknown to this browser (e.g. a POSIX TZ string): fall back to the learned offset.
            }
        }
        this.utc = ZoneClock.formatsFor('UTC');
    }

    static formatsFor(timeZone) {
        return {
            time: new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }),
            minutes: new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
            day: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
        };
    }

    /** Learns the server's UTC offset from an ISO date like 2026-11-21T14:00:00+01:00. */
    learnOffset(iso) {
        const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso ?? '');
        if (m) this.offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
        else if (/Z$/.test(iso ?? '')) this.offset = 0;
    }

    format(kind, epoch) {
        if (this.formats) return this.formats[kind].format(new Date(epoch * 1000));
        if (this.offset !== null) return this.utc[kind].format(new Date((epoch + this.offset) * 1000));
        return ZoneClock.local[kind].format(new Date(epoch * 1000));
    }

    /** HH:MM:SS */
    time(epoch) {
        return this.format('time', epoch);
    }

    /** HH:MM */
    minutes(epoch) {
        return this.format('minutes', epoch);
    }

    /** YYYY-MM-DD */
    dayKey(epoch) {
        return this.format('day', epoch);
    }
}
ZoneClock.local = ZoneClock.formatsFor(undefined);

const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'long', timeZone: 'UTC' });

/** "Saturday 2026-11-21" for a day key. */
export function formatDayHeading(key) {
    const [y, m, d] = key.split('-').map(Number);
    const date = new Date(Date.UTC(y, m - 1, d));
    return Number.isNaN(date.getTime()) ? key : `${weekday.format(date)} ${key}`;
}

/** "a few seconds ago"-style age for status lines. */
export function formatAge(seconds) {
    if (!Number.isFinite(seconds)) return '';
    if (seconds < 90) return `${Math.round(seconds)} s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
    return `${Math.round(seconds / 86400)} days ago`;
}

/** "rec_140000.mp3" of "radio1/2026/11/21/rec_140000.mp3" */
export function baseName(name) {
    return name ? name.slice(name.lastIndexOf('/') + 1) : '';
}

/** "radio1/2026/11/21/" of "radio1/2026/11/21/rec_140000.mp3" */
export function dirName(name) {
    const i = name.lastIndexOf('/');
    return i < 0 ? '' : name.slice(0, i + 1);
}

/** The source a recording belongs to: its first folder ("garden/…"), '' for a year ("2025/…"). */
export function sourceOf(name) {
    const first = name.slice(0, Math.max(0, name.indexOf('/')));
    return /^\d*$/.test(first) ? '' : first;
}
