import path from 'node:path';
import { launchBrowser, makeTempDir, openPage, removeTempDir, startIsrd, startIsrWeb } from './harness.mjs';

const dir = makeTempDir();
const recordings = path.join(dir, 'rec');
const isrd = await startIsrd(`[general]
output_directory = ${recordings}
split_interval = 60min
filename_pattern = {source}/%Y/%m/%d/{source}_%H%M%S
log_file =

[garden]
type = generator
format = wav
channels = 1
sample_rate = 16000
seed = 2681
live_events = yes
`, dir, recordings);
const server = await startIsrWeb(recordings);
const browser = await launchBrowser();
try {
    await new Promise((r) => setTimeout(r, 13000));
    for (const [w, hgt] of [[1280, 700], [360, 900]]) {
        for (const scheme of ['light', 'dark']) {
            const page = await openPage(browser, `${server.url}/?poll=1`, { viewport: { width: w, height: hgt }, colorScheme: scheme });
            await page.locator('.recorder-card, .source-card').first().waitFor().catch(() => {});
            await new Promise((r) => setTimeout(r, 2500));
            await page.screenshot({ path: `/tmp/shots-events/card-${w}-${scheme}.png` });
            console.log(w, scheme, page.problems);
            await page.context().close();
        }
    }
} finally {
    await browser.close();
    await server.stop();
    await isrd.stop();
    removeTempDir(dir);
}
