// User-facing messages: a polite live region for progress and results, a visible alert for errors.

const live = () => document.getElementById('live');

let clearTimer = 0;

/** Tells screen-reader users what just happened (also shown nowhere else). */
export function announce(text) {
    const region = live();
    if (!region) return;
    // Re-setting the same text would not be announced again.
    region.textContent = '';
    clearTimeout(clearTimer);
    requestAnimationFrame(() => {
        region.textContent = text;
        clearTimer = setTimeout(() => { region.textContent = ''; }, 15000);
    });
}

/** Shows an error sentence at the top of the page (role=alert announces it). */
export function showError(text) {
    const box = document.getElementById('alert');
    document.getElementById('alert-text').textContent = text;
    box.hidden = false;
}

export function clearError() {
    document.getElementById('alert').hidden = true;
}

export function initMessages() {
    document.getElementById('alert-close').addEventListener('click', () => {
        clearError();
        document.getElementById('main').focus();
    });
}
