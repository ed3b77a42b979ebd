import type { Deps, GlobalOptions } from '../../deps.js';
import { isJsonObject } from '../../core/json.js';
import type { DecryptFlags } from '../../services/jwe.js';
import { decrypting } from '../decrypt-options.js';
import { CheckFailedError } from '../../errors.js';
import { describeTimes, inspectToken, type TimeView, type TokenReport } from '../../core/jwt/inspect.js';
import type { ClaimsPolicy } from '../../core/claims/types.js';
import { readOneToken } from '../../io/token-input.js';
import { unwrapPastedToken, type PastedToken } from '../../core/jwt/parse.js';
import { cell, renderFindings, renderTable, type CommandResult, type Style } from '../../io/output.js';

/** With a JWE's decryption key (DecryptFlags), the claims, or the nested JWT, it holds are shown. */
export interface DecodeOptions extends DecryptFlags {
  token?: string;
}

/** The universal rules only: decode annotates, it never judges a token valid. */
const NO_POLICY: ClaimsPolicy = {};

/** An x5c header's certificates, described (never trusted: that is verify --roots). */
export interface ChainView {
  subject: string;
  issuer: string;
  notAfter: string;
}

export function renderReport(report: TokenReport, times: Record<string, TimeView>, style: Style, chain?: ChainView[] | string): string {
  const token = report.token!;
  const out: string[] = [style.bold(token.kind === 'jwe' ? 'Header (JWE: the payload is encrypted)' : 'Header')];
  out.push(
    renderTable(
      Object.entries(token.header).map(([k, v]) => [k, cell(v)] as const),
      style,
    ),
  );
  if (chain !== undefined) {
    out.push('', style.bold('Certificate chain (x5c; not checked: verify --roots CA.pem does)'));
    out.push(
      typeof chain === 'string'
        ? `  ${cell(chain)}`
        : renderTable(
            chain.map((c, i) => [`x5c[${i}]`, `${cell(c.subject)}  ${style.dim(`issued by ${cell(c.issuer)}, until ${cell(c.notAfter)}`)}`] as const),
            style,
          ),
    );
  }
  if (token.kind === 'jws') {
    out.push('', style.bold('Claims'));
    const rows = Object.entries(token.payload).map(([k, v]) => {
      const time = times[k];
      const extra = time ? style.dim(`  ${time.iso ?? 'out of range'} (${time.relative})`) : '';
      return [k, `${cell(v)}${extra}`] as const;
    });
    out.push(rows.length ? renderTable(rows, style) : style.dim('  (none)'));
    const chain = actChain(token.payload);
    if (chain.length)
      out.push(
        style.dim(`  delegation (act, RFC 8693): ${[cell(token.payload.sub ?? '?'), ...chain.map((a) => cell(a))].join(' ← ')} (the current actor first)`),
      );
    const cnf = token.payload.cnf;
    if (isJsonObject(cnf) && typeof cnf.jkt === 'string')
      out.push(style.dim(`  bound to a DPoP key (RFC 9449), thumbprint ${cell(cnf.jkt)}: it goes with a proof by that key (verify --dpop-proof checks one)`));
    out.push('', style.bold('Signature'), `  ${token.signature.length === 0 ? 'none (unsecured JWT)' : `${token.signature.length} bytes`}`);
  }
  if (report.findings.length) out.push('', style.bold('Findings'), renderFindings(report.findings, style));
  out.push('', style.yellow('NOT VERIFIED: decode shows what the token says; use `authctl verify` to check its signature.'));
  return out.join('\n');
}

/** What the token was found in, when it came wrapped (a token response, a callback URL). */
function pastedNote(pasted: PastedToken): string | undefined {
  if (!pasted.from) return undefined;
  const held = pasted.alsoHeld?.map((name) => `${name === 'refresh_token' ? 'a' : 'an'} ${name}`).join(' and ');
  return `${pasted.from}${held ? ` (it also holds ${held}, not shown: decode ${pasted.alsoHeld!.length > 1 ? 'each' : 'it'} by itself)` : ''}`;
}

export async function runDecode(options: DecodeOptions, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const decrypt = decrypting(options, options.token);
  const input = await readOneToken(options.token, deps.io);
  const now = deps.now();
  const pasted = unwrapPastedToken(input);
  const note = pastedNote(pasted);
  if (decrypt) return decodeEncrypted(pasted.token, options, deps, globals, now);
  const report = inspectToken(pasted.token, NO_POLICY, { now });
  const token = report.token;
  // An unparseable token is an invalid_token error (exit 1) with the parser's precise reason.
  if (!token) throw new CheckFailedError('invalid_token', report.findings[0]!.message);
  const times = token.kind === 'jws' ? describeTimes(token.payload, now) : {};
  // node:crypto (for X.509) loads only for a token that carries a chain.
  const chain = token.header.x5c === undefined ? undefined : describeChain((await import('../../core/keys/x5c.js')).x5cCertificates(token.header.x5c));
  return {
    json: {
      verified: false,
      ...(note ? { found_in: note } : {}),
      kind: token.kind,
      header: token.header,
      ...(token.kind === 'jws' ? { payload: token.payload, signature: { bytes: token.signature.length }, times } : {}),
      findings: report.findings,
      ...(chain !== undefined ? { x5c: chain } : {}),
    },
    text: (style) => `${note ? `${style.dim(`Token: ${note}`)}\n\n` : ''}${renderReport(report, times, style, chain)}`,
  };
}

/** A JWE opened with its key: the outer header, then the nested JWT decoded, or the claims it held. */
async function decodeEncrypted(token: string, flags: DecryptFlags, deps: Deps, globals: GlobalOptions, now: number): Promise<CommandResult> {
  const { decryptionKey, openJwe } = await import('../../services/jwe.js');
  const opened = await openJwe(token, await decryptionKey(flags, deps, globals));
  if (!opened.outer) throw new CheckFailedError('invalid_token', 'not encrypted: decode it without a decryption key');
  const outer = opened.outer;
  const inner = 'token' in opened ? inspectToken(opened.token, NO_POLICY, { now }) : undefined;
  if (inner && !inner.token) throw new CheckFailedError('invalid_token', `the encrypted token holds no token authctl can read: ${inner.findings[0]!.message}`);
  let claims: Record<string, unknown> | undefined;
  if ('claims' in opened) {
    const { parseJson } = await import('../../core/json.js');
    const value = (() => {
      try {
        return parseJson(new TextDecoder().decode(opened.claims));
      } catch {
        return undefined;
      }
    })();
    if (!isJsonObject(value)) throw new CheckFailedError('invalid_token', 'the encrypted token holds neither a JWT nor a JSON object of claims');
    claims = value;
  }
  const times = inner?.token?.kind === 'jws' ? describeTimes(inner.token.payload, now) : claims ? describeTimes(claims, now) : {};
  return {
    json: {
      verified: false,
      kind: 'jwe',
      header: outer,
      decrypted: true,
      ...(inner
        ? {
            nested: {
              kind: inner.token!.kind,
              header: inner.token!.header,
              ...(inner.token!.kind === 'jws' ? { payload: inner.token!.payload } : {}),
              findings: inner.findings,
            },
          }
        : {}),
      ...(claims ? { payload: claims } : {}),
      times,
    },
    text: (style) => {
      const head = [
        style.bold('Header (JWE, decrypted)'),
        renderTable(
          Object.entries(outer).map(([k, v]) => [k, cell(v)] as const),
          style,
        ),
      ];
      if (inner) return [...head, '', style.bold('Nested token'), renderReport(inner, times, style)].join('\n');
      const rows = Object.entries(claims!).map(
        ([k, v]) => [k, `${cell(v)}${times[k] ? style.dim(`  ${times[k]!.iso ?? 'out of range'} (${times[k]!.relative})`) : ''}`] as const,
      );
      return [
        ...head,
        '',
        style.bold('Claims'),
        renderTable(rows, style),
        '',
        style.yellow('NOT VERIFIED: an encrypted token without a signature says who sent it only as far as the key is secret.'),
      ].join('\n');
    },
  };
}

function describeChain(certs: { subject: string; issuer: string; validTo: string }[] | string): ChainView[] | string {
  if (typeof certs === 'string') return certs;
  const line = (name: string) => name.replace(/\n/g, ', ');
  return certs.map((c) => ({ subject: line(c.subject), issuer: line(c.issuer), notAfter: new Date(c.validTo).toISOString() }));
}

/** The actors of an RFC 8693 `act` claim, the current one first, then those before it (nested). */
function actChain(payload: Record<string, unknown>): unknown[] {
  const chain: unknown[] = [];
  let act = payload.act;
  while (act !== null && typeof act === 'object' && !Array.isArray(act) && chain.length < 16) {
    chain.push((act as Record<string, unknown>).sub ?? '?');
    act = (act as Record<string, unknown>).act;
  }
  return chain;
}
