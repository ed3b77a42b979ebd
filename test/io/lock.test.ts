import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { withLock } from '../../src/io/lock.js';
import { cleanupHomes, tmpHome } from '../helpers/cli.js';

afterAll(cleanupHomes);

/** The pid of a process that has ended: a lock it owned is abandoned. */
const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
const lockFile = (dir: string, name: string) => join(dir, `${createHash('sha256').update(name).digest('hex').slice(0, 16)}.lock`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the cross-process lock', () => {
  it('two waiters breaking the same dead owner’s lock never both hold it', async () => {
    for (let round = 0; round < 25; round++) {
      const dir = tmpHome();
      writeFileSync(lockFile(dir, 'key'), `${deadPid}@${hostname()}@stale`);
      let inside = 0;
      let most = 0;
      const section = async () => {
        inside++;
        most = Math.max(most, inside);
        await pause(5);
        inside--;
      };
      await Promise.all([withLock(dir, 'key', section), withLock(dir, 'key', section), withLock(dir, 'key', section)]);
      expect(most).toBe(1);
      expect(readdirSync(dir)).toEqual([]); // no lock, owner or stale file left behind
    }
  });

  it('a lock that cannot be written is file_unwritable, never an internal error', async () => {
    const dir = join(tmpHome(), 'file');
    writeFileSync(dir, 'a file where the lock directory should be');
    await expect(withLock(join(dir, 'locks'), 'key', async () => 1)).rejects.toMatchObject({ code: 'file_unwritable', exitCode: 2 });
  });
});
