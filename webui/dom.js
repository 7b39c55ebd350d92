// Small DOM helpers: build elements without innerHTML, so file names are never parsed as markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, props) {
    for (const [key, value] of Object.entries(props ?? {})) {
        if (value === null || value === undefined || value === false) continue;
        if (key === 'class') el.setAttribute('class', value);
        else if (key === 'text') el.textContent = value;
        else if (key === 'dataset') Object.assign(el.dataset, value);
        else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
        else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
        else el.setAttribute(key, value === true ? '' : String(value));
    }
}

function append(el, children) {
    for (const child of children.flat(Infinity)) {
        if (child === null || child === undefined || child === false) continue;
        el.append(child instanceof Node ? child : String(child));
    }
}

/** An HTML element: h('button', {class: 'x', onclick: f}, 'text', otherNode). */
export function h(tag, props, ...children) {
    const el = document.createElement(tag);
    apply(el, props);
    append(el, children);
    return el;
}

/** An SVG element, same calling convention as h(). */
export function s(tag, props, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    apply(el, props);
    append(el, children);
    return el;
}

/** Replaces an element's children. */
export function replaceChildren(el, ...children) {
    el.replaceChildren();
    append(el, children);
}

const ids = new Map();
let nextId = 1;

/** A stable DOM id for an arbitrary key (file names make poor ids). */
export function idFor(prefix, key) {
    const k = `${prefix}\u0000${key}`;
    if (!ids.has(k)) ids.set(k, `${prefix}-${nextId++}`);
    return ids.get(k);
}

/** True when a keyboard event comes from somewhere the user types. */
export function isTypingTarget(target) {
    if (!(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
    if (tag !== 'INPUT') return false;
    const type = (target.getAttribute('type') || 'text').toLowerCase();
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
}

export function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
        }, { once: true });
    });
}
