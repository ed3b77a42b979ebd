import { rmSync } from 'node:fs';

/**
 * What this process must undo however it ends: a normal exit, the edge's exit on Ctrl-C (which
 * runs 'exit' listeners), or SIGTERM (undone, then the signal raised again so the exit status
 * still says which signal ended us). Lock files, the demo's throwaway home (a private key is in
 * it) and the demo's running steps are registered here while they exist. Undo steps are
 * synchronous: nothing asynchronous runs after 'exit'.
 */
const undo = new Map<string, () => void>();
let hooked = false;

function undoAllSync(): void {
  for (const step of [...undo.values()].reverse()) {
    try {
      step();
    } catch {
      // the next step still runs
    }
  }
  undo.clear();
}

function onTerminate(signal: NodeJS.Signals): void {
  undoAllSync();
  process.removeListener('SIGTERM', onTerminate);
  process.kill(process.pid, signal);
}

/** Runs `step` when the process ends, unless `cancelAtExit(key)` comes first; later steps run first. */
export function atExit(key: string, step: () => void): void {
  if (!hooked) {
    hooked = true;
    process.on('exit', undoAllSync);
    process.once('SIGTERM', onTerminate);
  }
  undo.set(key, step);
}

export function cancelAtExit(key: string): void {
  undo.delete(key);
}

/** Removes `path` (a file or a whole directory) when the process ends, unless `keepAtExit` comes first. */
export function removeAtExit(path: string): void {
  atExit(path, () => rmSync(path, { recursive: true, force: true }));
}

/** `path` is someone else's to remove now (released, or removed already). */
export function keepAtExit(path: string): void {
  cancelAtExit(path);
}
