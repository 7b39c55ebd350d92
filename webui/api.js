// The isr-web JSON API. Errors arrive as {"error": "sentence"}; they become ApiError with that sentence.
// URLs are relative to the page, so the UI also works behind a reverse proxy under a sub-path.

export class ApiError extends Error {
    constructor(message, status) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
    }
}

/** A recording's relative path as a URL path: each segment escaped, slashes kept. */
export function encodePath(name) {
    return name.split('/').map(encodeURIComponent).join('/');
}

export function streamUrl(name) {
    return `stream/${encodePath(name)}`;
}

export function downloadUrl(name) {
    return `download/${encodePath(name)}`;
}

/** A section as a clip: the player bar plays it, the spectrogram decodes it. */
export function clipUrl(name, start, end) {
    return query('api/clip', { file: name, start: +start.toFixed(2), end: +end.toFixed(2) });
}

export function query(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
        if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    return `${path}?${q}`;
}

async function errorFrom(response) {
    let message = `${response.status} ${response.statusText || 'error'}`.trim();
    try {
        const body = await response.json();
        if (body && typeof body.error === 'string') message = body.error;
    } catch {
        // Not JSON (a proxy's error page): keep the status line.
    }
    return new ApiError(message, response.status);
}

/** GET/DELETE/POST returning {status, body}; throws ApiError for 4xx/5xx and network failures. */
export async function request(url, { method = 'GET', signal, json } = {}) {
    let response;
    const headers = { Accept: 'application/json' };
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    try {
        response = await fetch(url, {
            method, signal, headers, cache: 'no-store',
            body: json === undefined ? undefined : JSON.stringify(json),
        });
    } catch (e) {
        if (e.name === 'AbortError') throw e;
        throw new ApiError('cannot reach isr-web (is the server running?)', 0);
    }
    if (!response.ok) throw await errorFrom(response);
    let body = null;
    try {
        body = await response.json();
    } catch {
        throw new ApiError(`unexpected answer from ${url.split('?')[0]}`, response.status);
    }
    return { status: response.status, body };
}

export async function getJson(url, options) {
    return (await request(url, options)).body;
}

/** Asks isrd (through isr-web) to save the last `seconds` of `source`'s replay ring. */
export function saveReplay(source, seconds) {
    return getJson('api/replay', { method: 'POST', json: { source, seconds } });
}

export function deleteRecording(name) {
    return getJson(`api/files/${encodePath(name)}`, { method: 'DELETE' });
}

/** Marks a recording to be kept (isrd's retention never deletes it), or unmarks it. */
export function setKept(name, kept) {
    return getJson(`api/keep/${encodePath(name)}`, { method: kept ? 'POST' : 'DELETE' });
}

/**
 * Why a media URL failed to load: the audio element only says "error", the server's JSON says why.
 * Reads the status and headers only (the body is cancelled unless it is an error).
 */
export async function explainMediaError(url) {
    try {
        const response = await fetch(url, { cache: 'no-store' });
        if (!response.ok) return (await errorFrom(response)).message;
        response.body?.cancel();
        return 'the browser cannot play this audio';
    } catch {
        return 'cannot reach isr-web (is the server running?)';
    }
}
