import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.js';
import { ownCacheDir } from './own-files.js';
import { seaAsset } from './sea.js';

/**
 * @napi-rs/keyring inside the single executable: its native binding ships as an asset, and a
 * native library loads only from a file. It is written once into a directory that is this user's
 * own (io/own-files.ts), named by its SHA-256, read back and checked before every load, so no
 * other user's file is ever loaded as code.
 */
function loadBinding(): typeof import('@napi-rs/keyring') {
  const asset = seaAsset('keyring.node');
  if (!asset) throw new Error('the keychain binding is not in this executable');
  const bytes = Buffer.from(asset);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const top = cacheDir(process.env);
  const dir = join(top, 'native');
  const why = ownCacheDir(top, dir);
  if (why) throw new Error(`no private place for the keychain binding: ${why}`);
  const file = join(dir, `keyring-${digest.slice(0, 32)}.node`);
  let current: Buffer | undefined;
  try {
    current = readFileSync(file);
  } catch {}
  if (!current || createHash('sha256').update(current).digest('hex') !== digest) {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, bytes, { mode: 0o500, flag: 'wx' });
    chmodSync(temp, 0o500);
    renameSync(temp, file);
  }
  const native = { exports: {} as typeof import('@napi-rs/keyring') };
  process.dlopen(native, file);
  return native.exports;
}

const binding = loadBinding();
// What io/keychain.ts uses of @napi-rs/keyring, which the executable's build replaces with this module.
export const { AsyncEntry, findCredentialsAsync } = binding;
