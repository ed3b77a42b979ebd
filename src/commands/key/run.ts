import type { Deps } from '../../deps.js';
import { UsageError } from '../../errors.js';
import { privateJwk, privatePem, publicJwk, publicPem, thumbprint } from '../../core/keys/export.js';
import { defaultAlgorithm } from '../../core/keys/algorithms.js';
import type { LoadedKey } from '../../core/keys/load.js';
import { loadKeyFile, type KeyFileOptions } from '../../io/key-file.js';
import { writeFileAtomic } from '../../io/files.js';
import type { CommandResult } from '../../io/output.js';

export type KeyFormat = 'pem' | 'jwk' | 'jwks';

function describe(key: LoadedKey) {
  return {
    kind: key.kind,
    kty: key.kty,
    ...(key.crv ? { crv: key.crv } : {}),
    ...(key.bits ? { bits: key.bits } : {}),
    source: key.source,
    ...(key.kid ? { kid: key.kid } : {}),
  };
}

async function publicForm(key: LoadedKey, format: KeyFormat, kid?: string): Promise<string> {
  if (format === 'pem') return publicPem(key);
  const jwk = await publicJwk(key, { kid });
  return `${JSON.stringify(format === 'jwk' ? jwk : { keys: [jwk] }, null, 2)}\n`;
}

export async function runKeyPub(options: KeyFileOptions & { file: string; format: KeyFormat }, deps: Deps): Promise<CommandResult> {
  const key = await loadKeyFile(options.file, options, deps.io);
  const output = await publicForm(key, options.format, options.kid);
  return { json: { ...describe(key), public: options.format === 'pem' ? output : JSON.parse(output) }, text: () => output };
}

export async function runKeyThumbprint(
  options: KeyFileOptions & { file: string; hash: 'sha256' | 'sha384' | 'sha512'; uri?: boolean },
  deps: Deps,
): Promise<CommandResult> {
  const key = await loadKeyFile(options.file, options, deps.io);
  const value = await thumbprint(key, options.hash, options.uri);
  return { json: { ...describe(key), hash: options.hash, thumbprint: value }, text: () => value };
}

export interface KeyConvertOptions extends KeyFileOptions {
  file: string;
  /** Default: the other form (PEM in, a JWK out; a JWK or JWKS in, PEM out). */
  to?: KeyFormat;
  public?: boolean;
  out?: string;
  force?: boolean;
}

/** PEM <-> JWK <-> JWKS. A private key stays private unless --public (a JWKS is always public). */
export async function runKeyConvert(options: KeyConvertOptions, deps: Deps): Promise<CommandResult> {
  const loaded = await loadKeyFile(options.file, options, deps.io);
  const to: KeyFormat = options.to ?? (loaded.source === 'jwk' || loaded.source === 'jwks' ? 'pem' : 'jwk');
  return convertKey(loaded, { ...options, to }, deps);
}

async function convertKey(key: LoadedKey, options: KeyConvertOptions & { to: KeyFormat }, deps: Deps): Promise<CommandResult> {
  const keepPrivate = key.kind !== 'public' && !options.public && options.to !== 'jwks';
  let output: string;
  if (!keepPrivate) {
    output = await publicForm(key, options.to, options.kid);
  } else if (options.to === 'pem') {
    output = privatePem(key);
  } else {
    output = `${JSON.stringify(await privateJwk(key, { kid: options.kid, alg: key.alg ?? defaultAlgorithm(key) }), null, 2)}\n`;
  }
  if (options.out) {
    await writeFileAtomic(options.out, output, { mode: keepPrivate ? 0o600 : 0o644, exclusive: !options.force });
    return {
      json: { ...describe(key), to: options.to, private: keepPrivate, file: options.out },
      text: (style) => `${style.green('✔')} wrote ${options.out} ${style.dim(keepPrivate ? '(private, mode 0600)' : '(public)')}`,
    };
  }
  if (keepPrivate && deps.io.stdout.isTTY) {
    throw new UsageError('refused', 'not printing a private key to a terminal', 'use --out FILE, --public, or redirect stdout');
  }
  return { json: { ...describe(key), to: options.to, private: keepPrivate, key: options.to === 'pem' ? output : JSON.parse(output) }, text: () => output };
}
