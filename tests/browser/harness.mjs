// Test harness for the browser tests: a generated archive (ffmpeg), a real isr-web (and isrd) on
// 127.0.0.1 with a free port, Debian's chromium through playwright-core. Every process started
// here is stopped by its PID in every outcome, and every temp dir is removed.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export const ISR_WEB = process.env.ISR_WEB || path.join(repo, 'build/dev/webserver/isr-web');
export const ISRD = process.env.ISRD || path.join(repo, 'build/dev/recorder/isrd');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required',
];

// Children still running when this process exits (a failed assertion, an exception, Ctrl+C) are
// killed here by PID; stop() is the normal path.
const children = new Set();
process.on('exit', () => {
    for (const child of children) {
        try {
            process.kill(child.pid, 'SIGKILL');
        } catch {
            // Already gone.
        }
    }
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(1));

const tempDirs = new Set();
process.on('exit', () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export function makeTempDir(prefix = 'isr-browser-') {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
}

export function removeTempDir(dir) {
    if (!dir) return;
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
}

// ---- archive ----

function ffmpeg(args) {
    const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr || r.error}`);
}

const CODEC_ARGS = {
    wav: ['-c:a', 'pcm_s16le'],
    flac: ['-c:a', 'flac'],
    mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
    ogg: ['-c:a', 'libvorbis', '-q:a', '2'],
};

/**
 * Writes one recording. spec: {name, seconds, rate=16000, channels=1, tone=440, bursts=[[start, end], …]}
 * Without bursts: a steady tone (nothing stands out). With bursts: quiet noise with loud 1 kHz bursts.
 */
export function makeRecording(root, spec) {
    const file = path.join(root, spec.name);
    mkdirSync(path.dirname(file), { recursive: true });
    const ext = path.extname(file).slice(1);
    const rate = spec.rate ?? 16000;
    const channels = spec.channels ?? 1;
    const seconds = spec.seconds;
    let input;
    if (spec.bursts?.length) {
        const on = spec.bursts.map(([a, b]) => `between(t,${a},${b})`).join('+');
        input = ['-f', 'lavfi', '-i', `anoisesrc=a=0.01:c=pink:r=${rate}:d=${seconds}:seed=7`,
            '-f', 'lavfi', '-i', `sine=f=1000:r=${rate}:d=${seconds}`,
            '-filter_complex', `[1]volume='if(${on},0.5,0)':eval=frame[b];[0][b]amix=inputs=2:normalize=0:duration=first[out]`,
            '-map', '[out]'];
    } else {
        input = ['-f', 'lavfi', '-i', `sine=f=${spec.tone ?? 440}:r=${rate}:d=${seconds}`];
    }
    ffmpeg([...input, '-ar', String(rate), '-ac', String(channels), ...CODEC_ARGS[ext], file]);
    return file;
}

/**
 * The standard test archive: two days, newest first in the UI.
 *   2025-06-15: rec_080000.flac (20 s, 2 bursts), rec_120000.ogg (6 s), rec_130000.wav (4 s)
 *   2025-06-14: rec_090000.wav (30 s, 3 bursts), rec_100000.mp3 (8 s, stereo)
 */
export const ARCHIVE = [
    { name: '2025/06/15/rec_130000.wav', seconds: 4, tone: 330 },
    { name: '2025/06/15/rec_120000.ogg', seconds: 6, tone: 550, rate: 22050 },
    { name: '2025/06/15/rec_080000.flac', seconds: 20, bursts: [[4, 5], [12, 13.5]] },
    { name: '2025/06/14/rec_100000.mp3', seconds: 8, tone: 440, rate: 44100, channels: 2 },
    { name: '2025/06/14/rec_090000.wav', seconds: 30, bursts: [[5, 6], [14, 15.5], [24, 25]] },
];

export function makeArchive(root, specs = ARCHIVE) {
    mkdirSync(root, { recursive: true });
    for (const spec of specs) makeRecording(root, spec);
    return root;
}

// ---- status.json ----

/** Now as ISO 8601 with a numeric offset, like isrd writes it. */
export function isoNow(offsetSeconds = 0) {
    return new Date(Date.now() + offsetSeconds * 1000).toISOString().replace('Z', '+00:00');
}

/** Writes <dir>/status.json atomically; `updated` defaults to now. */
export function writeStatus(dir, status) {
    const body = { version: 1, updated: isoNow(), pid: process.pid, active: [], sources: [], ...status };
    const tmp = path.join(dir, `.status.json.tmp.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(body));
    renameSync(tmp, path.join(dir, 'status.json'));
}

/** Keeps status.json fresh (isr-web calls it stale after 10 s). get() returns the current content. */
export function keepStatusFresh(dir, get) {
    writeStatus(dir, get());
    const timer = setInterval(() => writeStatus(dir, get()), 1000);
    return () => clearInterval(timer);
}

export function source(fields) {
    return {
        name: 'garden', type: 'soundcard', state: 'recording', file: null, format: 'flac', bytes: 0,
        since: isoNow(-60), last_data: isoNow(), reconnects: 0, xruns: 0, lost_frames: 0,
        level_dbfs: -35, peak_dbfs: -20, error: null, input: 'hw:0,0', sample_rate: 16000, channels: 1,
        bitrate_kbps: null, stream_title: null, files: 1, ...fields,
    };
}

// ---- processes ----

function waitForExit(child, ms) {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        child.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
        });
    });
}

async function stopChild(child, name, output) {
    if (!child || child.stopRequested) return;
    child.stopRequested = true;
    if (child.exitCode !== null || child.signalCode !== null) {
        // It was not us: say so, with its last words, so a crash is not mistaken for a UI bug.
        process.stderr.write(`\n${name} (pid ${child.pid}) had exited by itself `
            + `(${child.signalCode ? `signal ${child.signalCode}` : `status ${child.exitCode}`}); its output ends with:\n`
            + `${output().slice(-4000)}\n`);
    }
    try {
        if (child.exitCode === null && child.signalCode === null) {
            process.kill(child.pid, 'SIGTERM');
            if (!(await waitForExit(child, 5000))) {
                process.stderr.write(`\n${name} (pid ${child.pid}) did not stop within 5 s of SIGTERM; killing it.\n`);
                process.kill(child.pid, 'SIGKILL');
                await waitForExit(child, 2000);
            }
        }
    } catch {
        // Already gone.
    } finally {
        children.delete(child);
    }
}

function startChild(program, args, { cwd } = {}) {
    if (!existsSync(program)) throw new Error(`${program} does not exist: build it first (cmake --build … --target ${path.basename(program)})`);
    const child = spawn(program, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    const collect = (chunk) => {
        output += chunk;
        if (output.length > 200000) output = output.slice(-100000);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.once('exit', () => children.delete(child));
    return { child, output: () => output };
}

/**
 * Starts isr-web on 127.0.0.1 with a port chosen by the kernel (--port 0, read back from its log).
 * Returns {url, pid, output(), stop()}.
 */
export async function startIsrWeb(dir, extraArgs = []) {
    const args = ['--dir', dir, '--bind', '127.0.0.1', '--port', '0', '--timezone', 'UTC',
        // A safety net: if this test process dies without stopping it, the server exits by itself.
        '--idle-exit', '120', ...extraArgs];
    // ISR_WEBUI_DIR: serve that folder's UI (a changed webui/ without rebuilding isr-web).
    if (process.env.ISR_WEBUI_DIR) args.push('--webui-dir', process.env.ISR_WEBUI_DIR);
    const { child, output } = startChild(ISR_WEB, args);
    const deadline = Date.now() + 10000;
    for (;;) {
        const m = output().match(/serving .* at (http:\/\/127\.0\.0\.1:\d+)\//);
        if (m) return { url: m[1], pid: child.pid, output, stop: () => stopChild(child, 'isr-web', output) };
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
            await stopChild(child, 'isr-web', output);
            throw new Error(`isr-web did not start (${ISR_WEB} ${args.join(' ')}):\n${output()}`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }
}

/** Starts isrd with an INI text; waits until status.json appears in outputDir. */
export async function startIsrd(configText, configDir, outputDir) {
    const config = path.join(configDir, 'isrd.ini');
    writeFileSync(config, configText);
    const { child, output } = startChild(ISRD, [config], { cwd: configDir });
    const deadline = Date.now() + 10000;
    while (!existsSync(path.join(outputDir, 'status.json'))) {
        if (child.exitCode !== null || Date.now() > deadline) {
            await stopChild(child, 'isrd', output);
            throw new Error(`isrd did not start:\n${output()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    return { pid: child.pid, output, stop: () => stopChild(child, 'isrd', output) };
}

// ---- browser ----

export async function launchBrowser() {
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
}

/**
 * A fresh page that records console errors, uncaught exceptions and CSP violations in
 * page.problems (each a string). Options: viewport, colorScheme.
 */
export async function openPage(browser, url, options = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    await context.addInitScript(() => {
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => {
            window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || e.sample}`);
        });
    });
    const page = await context.newPage();
    page.problems = [];
    page.on('console', (m) => {
        if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) page.problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => page.problems.push(`exception: ${e.message}`));
    page.setDefaultTimeout(10000);
    if (url) await gotoReady(page, url);
    return page;
}

/** Loads the UI and waits until its first render is done. */
export async function gotoReady(page, url) {
    const response = await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    return response;
}

export async function cspViolations(page) {
    return page.evaluate(() => window.__cspViolations ?? []);
}

/** Polls fn until it returns a truthy value or the time runs out; returns the value. */
export async function eventually(fn, { timeout = 8000, interval = 100, message = 'condition' } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
        try {
            last = await fn();
            if (last) return last;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
        await new Promise((r) => setTimeout(r, interval));
    }
}

/** The file row of a recording. */
export function row(page, name) {
    return page.locator(`tr.file-row[data-name="${name}"]`);
}

export function day(page, key) {
    return page.locator(`section.day[data-day="${key}"]`);
}

// ---- accessibility ----

let axeSource = null;

/**
 * axe-core's findings on the page as it is now, one readable line each ([] when clean).
 * include: CSS selectors to check (default the whole page); runOnly: rule ids or tags;
 * impacts: the impacts that count (default all).
 */
export async function axeFindings(page, { include = null, runOnly = ['wcag2a', 'wcag2aa'], impacts = null } = {}) {
    axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // Evaluated over the DevTools protocol: the page's CSP (no inline scripts) does not apply.
    if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
    return page.evaluate(async ({ include, runOnly, impacts }) => {
        const context = include ? { include: include.map((sel) => [sel]) } : document;
        const result = await window.axe.run(context, { runOnly });
        return result.violations
            .filter((v) => !impacts || impacts.includes(v.impact))
            .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(1).join(' ')}`));
    }, { include, runOnly, impacts });
}
