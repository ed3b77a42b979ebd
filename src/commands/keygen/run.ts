import type { Deps } from '../../deps.js';
import { UsageError } from '../../errors.js';
import { generateKey, privateJwk, privatePem, publicJwk, publicPem, secretText, thumbprint, type KeygenSpec } from '../../core/keys/export.js';
import { pathKind, writeFilesAtomic } from '../../io/files.js';
import { readGivenSecret } from '../../io/secret-input.js';
import type { CommandResult } from '../../io/output.js';

export interface KeygenOptions extends KeygenSpec {
  out?: string;
  use?: 'sig' | 'enc';
  format: 'pem' | 'jwk';
  kid?: string;
  alg?: string;
  passphraseFile?: string;
  passphraseStdin?: boolean;
  force?: boolean;
}

interface Artifact {
  path: string;
  content: string;
  secret: boolean;
}

export async function runKeygen(options: KeygenOptions, deps: Deps): Promise<CommandResult> {
  // A flag the key type has no use for is a mistake to say, never to ignore.
  if (options.size !== undefined && options.type !== 'rsa' && options.type !== 'oct')
    throw new UsageError(
      'invalid_argument',
      `--size applies to rsa and oct keys, not ${options.type}`,
      options.type === 'ec' ? 'pick the curve with --curve' : 'drop --size',
    );
  if (options.curve !== undefined && options.type !== 'ec')
    throw new UsageError('invalid_argument', `--curve applies to ec keys, not ${options.type}`, 'drop --curve');
  const passphrase = await readGivenSecret('passphrase', { file: options.passphraseFile, stdin: options.passphraseStdin }, deps.io);
  if (passphrase !== undefined && (options.format === 'jwk' || options.type === 'oct')) {
    throw new UsageError('invalid_argument', 'a passphrase encrypts PEM private keys only', 'drop the passphrase, or use --format pem');
  }
  if (options.out !== undefined && (/[/\\]$/.test(options.out) || (await pathKind(options.out)) === 'directory')) {
    throw new UsageError(
      'invalid_argument',
      `--out ${options.out} is a directory; it takes a base name`,
      `e.g. --out ${options.out.replace(/[/\\]+$/, '')}/signing writes signing.pem and signing.pub.pem there`,
    );
  }
  const key = await generateKey(options);
  // An encryption key records the key management it is for (RFC 7517 use "enc").
  const use = options.use ?? 'sig';
  const alg = options.alg ?? (use === 'enc' ? (await import('../../core/jwt/jwe.js')).defaultKeyManagement(key) : undefined);
  const ids = { kid: options.kid ?? (await thumbprint(key)), alg, use };
  const base = options.out?.replace(/\.(pem|json|jwk|secret)$/, '');

  let artifacts: Artifact[];
  if (options.type === 'oct') {
    artifacts =
      options.format === 'jwk'
        ? [{ path: `${base}.jwk.json`, content: `${JSON.stringify(await privateJwk(key, ids), null, 2)}\n`, secret: true }]
        : [{ path: `${base}.secret`, content: secretText(key), secret: true }];
  } else if (options.format === 'jwk') {
    artifacts = [
      { path: `${base}.jwk.json`, content: `${JSON.stringify(await privateJwk(key, ids), null, 2)}\n`, secret: true },
      { path: `${base}.jwks.json`, content: `${JSON.stringify({ keys: [await publicJwk(key, ids)] }, null, 2)}\n`, secret: false },
    ];
  } else {
    artifacts = [
      { path: `${base}.pem`, content: privatePem(key, passphrase), secret: true },
      { path: `${base}.pub.pem`, content: publicPem(key), secret: false },
    ];
  }
  const summary = {
    type: options.type,
    kty: key.kty,
    ...(key.crv ? { crv: key.crv } : {}),
    ...(key.bits && key.kty === 'RSA' ? { bits: key.bits } : {}),
    kid: ids.kid,
    encrypted: passphrase !== undefined,
  };

  if (base === undefined) {
    // Printing the new key is this command's job when no --out is given.
    return {
      json: {
        ...summary,
        ...Object.fromEntries(artifacts.map((a) => [a.secret ? 'private' : 'public', a.path.endsWith('.json') ? JSON.parse(a.content) : a.content])),
      },
      // One document on stdout, as every JSON output: a JWK is the private one (the public set is
      // `key public`, the --out files, or the --json form); PEM is the private then public block.
      text: () => (options.format === 'jwk' ? artifacts[0]!.content : artifacts.map((a) => a.content).join('')),
    };
  }
  if (!options.force) {
    const existing = (await Promise.all(artifacts.map(async (a) => ((await pathKind(a.path)) ? a : undefined)))).find(Boolean);
    if (existing) throw new UsageError('file_exists', `${existing.path} already exists`);
  }
  await writeFilesAtomic(
    artifacts.map((a) => ({ path: a.path, data: a.content, mode: a.secret ? 0o600 : 0o644 })),
    { exclusive: !options.force },
  );
  return {
    json: { ...summary, files: artifacts.map((a) => ({ path: a.path, private: a.secret })) },
    text: (style) =>
      [
        ...artifacts.map((a) => `${style.green('✔')} wrote ${a.path} ${style.dim(a.secret ? '(private, mode 0600)' : '(public)')}`),
        `${style.dim('kid')} ${ids.kid}`,
      ].join('\n'),
  };
}
