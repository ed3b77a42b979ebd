import { readCertificates } from '../io/certificates.js';
import { randomUUID } from 'node:crypto';
import type { Deps, GlobalOptions } from '../deps.js';
import { CheckFailedError, UsageError } from '../errors.js';
import { publicKeyOf } from '../core/keys/export.js';
import { assertAlgorithmFits, defaultAlgorithm, keyWeakness } from '../core/keys/algorithms.js';
import { buildClaims, certificateHeader, signJwt, type ClaimFlags } from '../core/jwt/mint.js';
import { validateClaims, passes } from '../core/claims/validate.js';
import { profilePolicy } from '../core/claims/policy.js';
import type { ClaimsPolicy, Finding } from '../core/claims/types.js';
import { storeAccess } from './secrets.js';
import { selectProfile } from '../io/config-store.js';
import { readTextFile } from '../io/files.js';
import { readAll } from '../io/streams.js';
import { resolveKey, type KeyFlags } from './signing-key.js';
import { parseJson } from '../core/json.js';

export interface MintOptions extends ClaimFlags, KeyFlags {
  claims?: string;
  alg?: string;
  typ?: string;
  header?: string[];
  cert?: string;
  insecure?: boolean;
  allowInvalid?: boolean;
}

async function readClaimsFile(source: string, deps: Deps): Promise<Record<string, unknown>> {
  const text = source === '-' ? await readAll(deps.io.stdin, 1024 * 1024) : await readTextFile(source, 'claims file');
  let value: unknown;
  try {
    value = parseJson(text ?? '');
  } catch {
    throw new UsageError('invalid_argument', `${source === '-' ? 'stdin' : source}: the claims must be a JSON object`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError('invalid_argument', `${source}: the claims must be a JSON object`);
  return value as Record<string, unknown>;
}

function headerPairs(pairs: string[] = []): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError('invalid_argument', `--header ${JSON.stringify(pair)}: expected key=value`);
    const [key, raw] = [pair.slice(0, eq), pair.slice(eq + 1)];
    if (key === 'alg') throw new UsageError('invalid_argument', 'set the algorithm with --alg, not --header');
    try {
      header[key] = parseJson(raw);
    } catch {
      header[key] = raw;
    }
  }
  return header;
}

export interface Minted {
  token: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  findings: Finding[];
}

/**
 * Builds, checks and signs a JWT. The claims module checks what is minted against the profile
 * policy (and the universal rules), so a token that the receiver would refuse is not returned
 * unless --allow-invalid (for negative tests).
 */
export async function mintToken(options: MintOptions, deps: Deps, globals: GlobalOptions): Promise<Minted> {
  const selected = globals.profile ? selectProfile(await deps.config(globals), globals.profile, false) : undefined;
  const profile = selected?.profile;
  const key = await resolveKey(options, deps, { keyFile: profile?.private_key, access: selected ? storeAccess(selected.name, deps, globals) : undefined });
  if (key.kind === 'public') throw new UsageError('invalid_key', 'a public key cannot sign; give the private key', 'authctl keygen writes both halves');

  const alg = options.alg ?? profile?.alg ?? defaultAlgorithm(key);
  assertAlgorithmFits(alg, key);
  const weakness = keyWeakness(alg, key);
  if (weakness && !options.insecure) {
    throw new UsageError(key.kty === 'oct' ? 'weak_secret' : 'weak_key', weakness, 'use a stronger key (authctl keygen), or --insecure for tests');
  }

  const template = { ...profile?.mint, ...(options.claims ? await readClaimsFile(options.claims, deps) : {}) };
  const now = deps.now();
  const claims = buildClaims(template, options, now, randomUUID);

  const chain = options.cert ? await readCertificates(options.cert, 'certificate file') : [];
  if (chain.length && !chain[0]!.publicKey.equals(publicKeyOf(key))) {
    throw new UsageError('invalid_key', `${options.cert}: the certificate is not for this signing key`);
  }
  const kid = options.kid ?? profile?.kid ?? key.kid;
  const header = { typ: options.typ ?? 'JWT', ...(kid ? { kid } : {}), ...certificateHeader(chain), ...headerPairs(options.header) };

  const policy: ClaimsPolicy = profile ? profilePolicy(selected!.name, profile) : {};
  const findings = validateClaims({ ...header, alg }, claims, policy, { now });
  if (!passes(findings) && !options.allowInvalid) {
    const first = findings.find((f) => f.severity === 'error')!;
    throw new CheckFailedError(
      first.code,
      `refusing to mint a token that fails its policy: ${findings
        .filter((f) => f.severity === 'error')
        .map((f) => `${f.code} (${f.message})`)
        .join('; ')}`,
      'fix the claims, or pass --allow-invalid to mint it anyway (for negative tests)',
    );
  }

  const token = await signJwt(claims, header, key, alg);
  return { token, header: { ...header, alg }, payload: claims, findings };
}
