// A modal confirmation built on <dialog>: focus stays inside, Escape cancels, focus returns after.

/** Resolves true when the user confirms. */
export function confirmDialog({ title, text, confirmLabel = 'Delete' }) {
    const dialog = document.getElementById('confirm');
    document.getElementById('confirm-title').textContent = title;
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-ok').textContent = confirmLabel;
    const opener = document.activeElement;
    return new Promise((resolve) => {
        dialog.returnValue = 'cancel';
        dialog.addEventListener('close', () => {
            resolve(dialog.returnValue === 'confirm');
            if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
        }, { once: true });
        dialog.showModal();
        document.getElementById('confirm-cancel').focus();
    });
}
