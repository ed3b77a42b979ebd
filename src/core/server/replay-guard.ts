import { DEFAULT_CLOCK_TOLERANCE } from '../claims/validate.js';

/**
 * The server's one replay memory (client assertions, JustGold's partner tokens): per issuer, the
 * `jti` of each token accepted, kept while that token could still pass (its `exp` plus the claims
 * module's clock tolerance), so the claims module's replay check refuses it a second time.
 */
export class ReplayGuard {
  /** Per issuer: jti → the exp of the token that used it. */
  private readonly seen = new Map<string, Map<string, number>>();
  /** Per issuer: the second its memory was last pruned (a flood of tokens prunes once a second, not once a token). */
  private readonly pruned = new Map<string, number>();

  /** The jti values an issuer has used that still matter at `now` (for the claims module's `seenJti`). */
  usedBy(issuer: string, now: number): ReadonlyMap<string, number> {
    const seen = this.seen.get(issuer) ?? new Map<string, number>();
    this.seen.set(issuer, seen);
    if (this.pruned.get(issuer) !== now) {
      for (const [jti, exp] of seen) if (exp < now - DEFAULT_CLOCK_TOLERANCE) seen.delete(jti);
      this.pruned.set(issuer, now);
    }
    return seen;
  }

  /** Remembers an accepted token's jti. */
  accepted(issuer: string, payload: Record<string, unknown>): void {
    if (typeof payload.jti === 'string') this.seen.get(issuer)?.set(payload.jti, Number(payload.exp));
  }
}
