import { DPOP_ALGORITHMS, judgeProof, PROOF_MAX_AGE } from '../oauth/dpop.js';
import { DEFAULT_CLOCK_TOLERANCE } from '../claims/times.js';
import { OAuthFailure, type ServerContext, type ServerRequest } from './protocol.js';

/** Where a proof is judged: the token endpoint answers 400 (RFC 9449 §5), a resource 401 with a DPoP challenge (§7.1). */
export type ProofPlace = 'token' | 'resource';

/**
 * The server's side of DPoP: proofs judged (core/oauth/dpop.ts judgeProof), each proof's `jti`
 * accepted once while it could still pass, and, when the settings say `dpop_nonce`, a nonce
 * given out and required (rotated when a proof could no longer be fresh).
 */
export class DpopGuard {
  /**
   * Proof jti → when it was accepted, in acceptance order, forgotten once a proof with it could no
   * longer pass (its iat was at most the tolerance ahead; it passes up to the age bound and the
   * tolerance after that). Pruned from the oldest end: constant work per request.
   */
  private readonly seen = new Map<string, number>();
  private current?: { nonce: string; since: number };

  constructor(private readonly ctx: ServerContext) {}

  /** The nonce proofs must carry now (undefined when the settings ask for none). */
  nonce(): string | undefined {
    if (!this.ctx.settings.dpop_nonce) return undefined;
    const now = this.ctx.now();
    if (!this.current || now - this.current.since >= PROOF_MAX_AGE) this.current = { nonce: this.ctx.newId(), since: now };
    return this.current.nonce;
  }

  /** Headers every DPoP answer carries: the nonce to use next, when there is one. */
  headers(): Record<string, string> {
    const nonce = this.nonce();
    return nonce ? { 'dpop-nonce': nonce } : {};
  }

  /** The challenge a resource answers with (§7.1): the algorithms it takes, and the error when there is one. */
  challenge(error?: string, description?: string): Record<string, string> {
    const params = [
      `algs="${DPOP_ALGORITHMS.join(' ')}"`,
      ...(error ? [`error="${error}"`] : []),
      ...(description ? [`error_description="${description.replace(/["\\]/g, '')}"`] : []),
    ];
    return { 'www-authenticate': `DPoP ${params.join(', ')}`, ...this.headers() };
  }

  /**
   * The proof of a request, judged for this request (and the token it presents at a resource, and
   * the key that token or grant is bound to): its key's thumbprint, or the refusal.
   */
  async check(request: ServerRequest, place: ProofPlace, bound: { accessToken?: string; jkt?: string } = {}): Promise<string> {
    const proof = request.headers.dpop;
    const refuse = (error: string, description: string) =>
      place === 'token'
        ? new OAuthFailure(error, description, 400, this.headers())
        : new OAuthFailure(error, description, 401, this.challenge(error, description));
    if (proof === undefined || proof === '') throw refuse('invalid_dpop_proof', 'a DPoP proof is required (the DPoP header)');
    const now = this.ctx.now();
    for (const [jti, accepted] of this.seen) {
      if (accepted >= now - PROOF_MAX_AGE - 2 * DEFAULT_CLOCK_TOLERANCE) break;
      this.seen.delete(jti);
    }
    const verdict = await judgeProof(proof, {
      htm: request.method,
      htu: `${this.ctx.issuer}${request.path}`,
      now,
      ...bound,
      nonce: this.nonce(),
      seenJti: this.seen,
    });
    const error = verdict.findings.find((f) => f.severity === 'error');
    // RFC 9449 §8, §9: a proof that lacks the server's current nonce is asked to carry it; any other fault is refused.
    if (error) throw refuse(error.claim === 'nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof', error.message);
    this.seen.set(String(verdict.token!.payload.jti), now);
    return verdict.jkt!;
  }
}
