// Spectrograms drawn in the browser: a clip's audio decoded by Web Audio, a short-time Fourier
// transform in plain JS (radix-2, Hann window), drawn to a canvas with a log-frequency axis and a
// magma-like colour map. No server-side images: the server only cuts the clip.

import { timeAxis } from './analysis.js';
import { h } from './dom.js';

const F_MIN = 50; // Hz at the bottom row: below it, mains hum and rumble tell little
const ROWS = 240; // canvas pixel rows; CSS scales the canvas to its box
const RANGE_DB = 80; // colours span this far below the loudest cell
const MAX_COLUMNS = 2400;
const YIELD_EVERY_MS = 12; // the longest the FFT runs before letting the page respond

// magma (matplotlib) sampled at nine even steps; interpolated in between.
const MAGMA = ['#000004', '#1d1147', '#51127c', '#822681', '#b63679', '#e65164', '#fb8861', '#fec287', '#fcfdbf'];

function colourTable() {
    const stops = MAGMA.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
    const table = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; ++i) {
        const pos = (i / 255) * (stops.length - 1);
        const k = Math.min(stops.length - 2, Math.floor(pos));
        const f = pos - k;
        for (let c = 0; c < 3; ++c) table[i * 3 + c] = stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f;
    }
    return table;
}
const COLOURS = colourTable();

/** The sample rate a WAV's fmt chunk states; null when the bytes are not a WAV. */
function wavSampleRate(buffer) {
    const view = new DataView(buffer);
    const tag = (at) => String.fromCharCode(...new Uint8Array(buffer, at, 4));
    if (buffer.byteLength < 36 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
    for (let at = 12; at + 8 <= buffer.byteLength;) {
        const size = view.getUint32(at + 4, true);
        if (tag(at) === 'fmt ' && at + 16 <= buffer.byteLength) return view.getUint32(at + 12, true);
        at += 8 + size + (size & 1);
    }
    return null;
}

/**
 * Decodes at the file's own rate where it can tell (WAV clips): Web Audio resamples to its
 * context's rate, and a 16 kHz recording shown up to 22 kHz would be half empty.
 */
async function decode(buffer) {
    const rate = wavSampleRate(buffer);
    const contextRate = rate && rate >= 8000 && rate <= 96000 ? rate : 44100;
    const context = new OfflineAudioContext(1, 1, contextRate);
    try {
        return await context.decodeAudioData(buffer);
    } catch (e) {
        throw new Error(`the browser cannot decode this audio (${e.message || e.name})`);
    }
}

/** An in-place radix-2 FFT of n (a power of two) points with its tables computed once. */
class Fft {
    constructor(n) {
        this.n = n;
        this.re = new Float64Array(n);
        this.im = new Float64Array(n);
        this.window = new Float64Array(n);
        for (let i = 0; i < n; ++i) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
        this.reverse = new Uint32Array(n);
        const bits = Math.log2(n);
        for (let i = 0; i < n; ++i) {
            let r = 0;
            for (let b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
            this.reverse[i] = r;
        }
        this.cos = new Float64Array(n / 2);
        this.sin = new Float64Array(n / 2);
        for (let i = 0; i < n / 2; ++i) {
            this.cos[i] = Math.cos((2 * Math.PI * i) / n);
            this.sin[i] = -Math.sin((2 * Math.PI * i) / n);
        }
    }

    /** Power of bins 0..n/2 of the windowed frame of `samples` starting at `start` (zeros outside). */
    power(samples, start, out) {
        const { n, re, im, reverse, window } = this;
        for (let i = 0; i < n; ++i) {
            const at = start + i;
            re[reverse[i]] = at >= 0 && at < samples.length ? samples[at] * window[i] : 0;
            im[i] = 0;
        }
        for (let size = 2; size <= n; size *= 2) {
            const half = size / 2;
            const stride = n / size;
            for (let i = 0; i < n; i += size) {
                for (let j = 0; j < half; ++j) {
                    const wr = this.cos[j * stride];
                    const wi = this.sin[j * stride];
                    const a = i + j;
                    const b = a + half;
                    const tr = re[b] * wr - im[b] * wi;
                    const ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
        for (let k = 0; k <= n / 2; ++k) out[k] = re[k] * re[k] + im[k] * im[k];
    }
}

function mono(audio) {
    if (audio.numberOfChannels === 1) return audio.getChannelData(0);
    const out = new Float32Array(audio.length);
    for (let c = 0; c < audio.numberOfChannels; ++c) {
        const data = audio.getChannelData(c);
        for (let i = 0; i < out.length; ++i) out[i] += data[i] / audio.numberOfChannels;
    }
    return out;
}

/** For each canvas row (top first) the FFT bins it shows: a band at high frequencies, one point below. */
function rowBins(rows, fMax, binHz, bins) {
    const ratio = Math.log(fMax / F_MIN);
    const freqAt = (row) => F_MIN * Math.exp(ratio * (1 - row / (rows - 1)));
    const out = [];
    for (let r = 0; r < rows; ++r) {
        const lo = freqAt(r + 0.5) / binHz;
        const hi = freqAt(r - 0.5) / binHz;
        const centre = freqAt(r) / binHz;
        out.push({ lo: Math.max(0, Math.ceil(lo)), hi: Math.min(bins - 1, Math.floor(hi)), centre: Math.min(bins - 1, centre) });
    }
    return out;
}

function yieldToPage() {
    return new Promise((resolve) => setTimeout(resolve, 0));
}

function formatHz(f) {
    return f >= 1000 ? `${+(f / 1000).toFixed(1)} kHz` : `${Math.round(f)} Hz`;
}

/**
 * Computes the spectrogram of decoded audio: dB per (column, row), the strongest frequency
 * overall, and how long the transform took.
 */
async function transform(audio, columns, signal) {
    const samples = mono(audio);
    const rate = audio.sampleRate;
    const n = rate > 32000 ? 2048 : 1024;
    const fft = new Fft(n);
    const bins = n / 2 + 1;
    const fMax = rate / 2;
    const rows = rowBins(ROWS, fMax, rate / n, bins);
    const db = new Float32Array(columns * ROWS);
    const power = new Float64Array(bins);
    const total = new Float64Array(bins); // summed over time: where the energy is
    let slice = performance.now();
    for (let c = 0; c < columns; ++c) {
        const centre = ((c + 0.5) / columns) * samples.length;
        fft.power(samples, Math.round(centre - n / 2), power);
        for (let k = 0; k < bins; ++k) total[k] += power[k];
        for (let r = 0; r < ROWS; ++r) {
            const { lo, hi, centre: at } = rows[r];
            let p;
            if (hi > lo) {
                p = 0;
                for (let k = lo; k <= hi; ++k) p = Math.max(p, power[k]);
            } else {
                const k = Math.floor(at);
                const f = at - k;
                p = power[k] * (1 - f) + (power[Math.min(bins - 1, k + 1)] ?? 0) * f;
            }
            db[r * columns + c] = 10 * Math.log10(p + 1e-20);
        }
        if (performance.now() - slice > YIELD_EVERY_MS) {
            await yieldToPage();
            if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
            slice = performance.now();
        }
    }
    let peak = Math.ceil(F_MIN / (rate / n));
    for (let k = peak; k < bins; ++k) if (total[k] > total[peak]) peak = k;
    // Between bins: the vertex of the parabola through the peak's log power and its neighbours'.
    let offset = 0;
    if (peak > 0 && peak < bins - 1) {
        const [a, b, c] = [total[peak - 1], total[peak], total[peak + 1]].map((p) => Math.log(p + 1e-30));
        const bend = a - 2 * b + c;
        if (bend < 0) offset = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / bend));
    }
    return { db, fMax, peakHz: ((peak + offset) * rate) / n, fftSize: n };
}

function paint(canvas, db, columns) {
    let top = -Infinity;
    for (const v of db) if (v > top) top = v;
    const bottom = top - RANGE_DB;
    const context = canvas.getContext('2d');
    const image = context.createImageData(columns, ROWS);
    for (let i = 0; i < db.length; ++i) {
        const level = Math.max(0, Math.min(255, Math.round(((db[i] - bottom) / RANGE_DB) * 255)));
        image.data[i * 4] = COLOURS[level * 3];
        image.data[i * 4 + 1] = COLOURS[level * 3 + 1];
        image.data[i * 4 + 2] = COLOURS[level * 3 + 2];
        image.data[i * 4 + 3] = 255;
    }
    context.putImageData(image, 0, 0);
}

function frequencyAxis(fMax) {
    const ticks = [100, 200, 500, 1000, 2000, 5000, 10000, 20000].filter((f) => f < fMax * 0.97);
    const ratio = Math.log(fMax / F_MIN);
    return h('div', { class: 'sg-freq', 'aria-hidden': 'true' }, ticks.map((f) => h('span', {
        // 100, 1k, 10k stay when a short canvas has no room for the others.
        class: `tick ${[100, 1000, 10000].includes(f) ? 'major' : 'minor'}`,
        style: { top: `${((1 - Math.log(f / F_MIN) / ratio) * 100).toFixed(2)}%` },
    }, f >= 1000 ? `${f / 1000}k` : String(f))));
}

/**
 * The spectrogram of the audio at `url` (a clip of from..to seconds of a file whose start is
 * `epoch`), as a figure: canvas, frequency and time axes, a caption. width: the CSS pixels it
 * will be shown in (sets the number of FFT columns). The figure's setPlayhead(seconds into the
 * file) marks the playing position. Throws Error with a sentence when the clip cannot be had.
 */
export async function renderSpectrogram({ url, from, to, epoch, clock, title, width, signal }) {
    const started = performance.now();
    let response;
    try {
        response = await fetch(url, { signal, cache: 'no-store' });
    } catch (e) {
        if (e.name === 'AbortError') throw e;
        throw new Error('cannot reach isr-web (is the server running?)');
    }
    if (!response.ok) {
        let why = `${response.status} ${response.statusText}`.trim();
        try {
            why = (await response.json()).error ?? why;
        } catch {
            // Not JSON: the status line says it.
        }
        throw new Error(why);
    }
    const bytes = await response.arrayBuffer();
    const fetched = performance.now();
    const audio = await decode(bytes);
    const decoded = performance.now();
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const columns = Math.max(64, Math.min(MAX_COLUMNS, Math.round((width || 800) * dpr)));
    const { db, fMax, peakHz, fftSize } = await transform(audio, columns, signal);
    const computed = performance.now();

    const span = `${clock.time(epoch + from)} to ${clock.time(epoch + to)}`;
    const label = `Spectrogram of ${title}, ${span}: time from left to right, frequency from ${F_MIN} Hz at the bottom `
        + `to ${formatHz(fMax)} at the top on a logarithmic scale, brighter is louder. Strongest around ${formatHz(peakHz)}.`;
    const canvas = h('canvas', {
        class: 'sg-canvas', width: columns, height: ROWS, role: 'img', 'aria-label': label,
        dataset: { fmin: String(F_MIN), fmax: String(fMax), peakHz: String(Math.round(peakHz)) },
    });
    paint(canvas, db, columns);
    const playhead = h('div', { class: 'sg-playhead', hidden: true });
    const total = performance.now() - started;
    const figure = h('figure', {
        class: 'spectrogram',
        dataset: {
            fetchMs: String(Math.round(fetched - started)),
            decodeMs: String(Math.round(decoded - fetched)),
            fftMs: String(Math.round(computed - decoded)),
            totalMs: String(Math.round(total)),
            seconds: String(audio.duration),
            fftSize: String(fftSize),
        },
    },
    h('div', { class: 'sg-body' }, frequencyAxis(fMax), h('div', { class: 'sg-plot' }, canvas, playhead)),
    h('div', { class: 'sg-time' }, timeAxis(from, to, epoch, clock, width)),
    h('figcaption', { class: 'sg-caption' },
        h('span', { class: 'nowrap' }, `Spectrogram ${clock.time(epoch + from)}–${clock.time(epoch + to)}`), ' · ',
        h('span', { class: 'nowrap' }, `${F_MIN} Hz–${formatHz(fMax)}, log scale`), ' · ',
        h('span', { class: 'nowrap' }, `${fftSize}-point FFT, ${Math.round(computed - decoded)} ms`)));
    figure.setPlayhead = (t) => {
        const inside = Number.isFinite(t) && t >= from && t <= to;
        playhead.hidden = !inside;
        if (inside) playhead.style.left = `${(((t - from) / (to - from)) * 100).toFixed(3)}%`;
    };
    return figure;
}
