/** What a progress line reports: files done and findings so far. */
export interface ProgressCounts {
  files: number;
  findings: number;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  /** Clears the line (if one was drawn) and stops the timer. */
  stop(): void;
}

const QUIET: Progress = { update() {}, stop() {} };

/**
 * A one-line progress report on stderr for work that runs longer than `delayMs`: redrawn in
 * place a few times a second. Only on a terminal, and never in CI (`CI` set to anything but
 * "false" or "0"), so pipes, logs and machine-readable output never see it.
 */
export function startProgress(
  stderr: { isTTY?: boolean; write(text: string): unknown },
  env: Readonly<Record<string, string | undefined>>,
  what: string,
  delayMs = 1000,
): Progress {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  if (!stderr.isTTY || ci) return QUIET;
  const started = Date.now();
  let counts: ProgressCounts = { files: 0, findings: 0 };
  let drawn = false;
  const timer = setInterval(() => {
    const seconds = (Date.now() - started) / 1000;
    if (seconds * 1000 < delayMs) return;
    const rate = Math.round(counts.files / seconds);
    stderr.write(`\r\x1b[K${what}: ${counts.files} files, ${counts.findings} findings, ${rate} files/s`);
    drawn = true;
  }, 250);
  timer.unref();
  return {
    update(next) {
      counts = next;
    },
    stop() {
      clearInterval(timer);
      if (drawn) stderr.write('\r\x1b[K');
    },
  };
}
