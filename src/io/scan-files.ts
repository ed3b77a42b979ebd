import { seaAsset } from './sea.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { scanText, type ScanFinding } from '../core/scan/scan.js';
import type { ScanTarget } from './walk.js';

export interface ScanTally {
  findings: ScanFinding[];
  scanned: number;
  binary: number;
  large: number;
  /** Files that could not be read or scanned, with why: said in every output, never silently dropped. */
  failed: { path: string; reason: string }[];
}

export const emptyTally = (): ScanTally => ({ findings: [], scanned: 0, binary: 0, large: 0, failed: [] });

/** A file's text; 'binary' when a NUL byte is in its first 8 KiB, 'large' over `maxBytes`, undefined if unreadable. */
export function classify(content: Buffer, maxBytes: number): string | 'binary' | 'large' {
  if (content.length > maxBytes) return 'large';
  if (content.subarray(0, 8192).includes(0)) return 'binary';
  return content.toString('utf8');
}

// Synchronous reads: for thousands of small files they cost a third of fs/promises' round trips.
function readCapped(abs: string, maxBytes: number): Buffer | 'large' | undefined {
  let fd: number;
  try {
    fd = openSync(abs, 'r');
  } catch {
    return undefined; // vanished or unreadable since the walk
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return 'large';
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Adds one file's outcome to a tally. */
export function tallyText(tally: ScanTally, path: string, text: string | 'binary' | 'large', now: number): void {
  if (text === 'binary') tally.binary++;
  else if (text === 'large') tally.large++;
  else {
    let found;
    try {
      found = scanText(text, path, now);
    } catch (error) {
      // One file that trips a detector must not end the run (or hide the files after it).
      tally.failed.push({ path, reason: `could not be scanned: unexpected ${error instanceof Error ? error.name : typeof error} (please report it)` });
      return;
    }
    tally.scanned++;
    tally.findings.push(...found);
  }
}

/** Reads and scans files on this thread. */
export function scanFiles(files: readonly ScanTarget[], now: number, maxBytes: number): ScanTally {
  const tally = emptyTally();
  for (const file of files) {
    const content = readCapped(file.abs, maxBytes);
    if (content === undefined) tally.failed.push({ path: file.path, reason: 'unreadable' });
    else tallyText(tally, file.path, content === 'large' ? 'large' : classify(content, maxBytes), now);
  }
  return tally;
}

const PARALLEL_FROM = 200;
const BATCH = 64;

/**
 * Scans files on worker threads (one per core, at most 4) handing out batches as workers come
 * free; small scans stay on this thread, where a worker's start-up would cost more than it saves.
 */
export async function scanFilesParallel(
  files: readonly ScanTarget[],
  now: number,
  maxBytes: number,
  onProgress?: (tally: ScanTally) => void,
): Promise<ScanTally> {
  const threads = Math.min(availableParallelism(), 4);
  if (files.length < PARALLEL_FROM || threads < 2) return scanFiles(files, now, maxBytes);
  const tally = emptyTally();
  let next = 0;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      // The build puts the worker's bundle beside the main one, in dist/; the single executable
      // carries it as an asset.
      const bundled = seaAsset('scan-worker.cjs');
      const worker = bundled
        ? new Worker(Buffer.from(bundled).toString('utf8'), { eval: true, workerData: { now, maxBytes } })
        : new Worker(new URL('./scan-worker.cjs', import.meta.url), { workerData: { now, maxBytes } });
      const feed = () => {
        if (next >= files.length) return void worker.terminate().then(() => resolve(), reject);
        worker.postMessage(files.slice(next, next + BATCH));
        next += BATCH;
      };
      worker.on('message', (part: ScanTally) => {
        tally.findings.push(...part.findings);
        tally.scanned += part.scanned;
        tally.binary += part.binary;
        tally.large += part.large;
        tally.failed.push(...part.failed);
        onProgress?.(tally);
        feed();
      });
      worker.on('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: threads }, runWorker));
  return tally;
}
