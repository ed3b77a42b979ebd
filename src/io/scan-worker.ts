// Worker-thread entry for `authctl scan` on large trees: receives batches of files, reads and
// scans them, and posts back each batch's tally (findings carry masks, never secrets).
import { parentPort, workerData } from 'node:worker_threads';
import { scanFiles } from './scan-files.js';
import type { ScanTarget } from './walk.js';

const { now, maxBytes } = workerData as { now: number; maxBytes: number };
parentPort!.on('message', (files: ScanTarget[]) => parentPort!.postMessage(scanFiles(files, now, maxBytes)));
