import { spawn } from 'node:child_process';
import { childEnvironment } from '../core/secret-sources.js';

/**
 * Opens a URL in the person's browser: `$BROWSER` when set (as gh and git do; a `%s` in it is
 * replaced by the URL, else the URL is its last argument), else the system's opener. Returns
 * false when nothing could be started, so the caller prints the URL instead.
 */
export function openBrowser(url: string, env: Readonly<Record<string, string | undefined>>, platform = process.platform): Promise<boolean> {
  let command: string;
  let args: string[];
  if (env.BROWSER) {
    const words = env.BROWSER.split(/\s+/).filter(Boolean);
    command = words[0]!;
    args = words.slice(1).some((w) => w.includes('%s')) ? words.slice(1).map((w) => w.replace('%s', url)) : [...words.slice(1), url];
  } else if (platform === 'darwin') {
    [command, args] = ['open', [url]];
  } else if (platform === 'win32') {
    [command, args] = ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]];
  } else {
    [command, args] = ['xdg-open', [url]];
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, env: childEnvironment(env) });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
