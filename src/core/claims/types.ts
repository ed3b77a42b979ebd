/** The one vocabulary of finding codes, shared by every command (CLI.md). */
export const FINDING_CODES = [
  'invalid_token',
  'invalid_signature',
  'token_expired',
  'not_yet_valid',
  'iat_in_future',
  'missing_required_claim',
  'invalid_issuer',
  'invalid_audience',
  'insufficient_permissions',
  'alg_not_allowed',
  'lifetime_too_long',
  'missing_jti',
  'replayed_token',
  'weak_secret',
  'invalid_claim_type',
  'unsupported_crit',
  'typ_mismatch',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];
export type Severity = 'error' | 'warning';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** The claim or header parameter concerned, where one applies (`exp`, `header.alg`). */
  claim?: string;
  message: string;
}

export type ClaimType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'string-or-array';

/** What a token must satisfy. Every field is optional; an empty policy checks only universal rules. */
export interface ClaimsPolicy {
  /** Accepted `iss` values (any one). */
  issuer?: string[];
  /** Accepted audiences: the token's `aud` (string or array) must contain one of them. */
  audience?: string[];
  requiredClaims?: string[];
  /** Allowed `alg` values; `none` is refused unless listed here explicitly. */
  algorithms?: string[];
  /** Maximum exp − iat, in seconds. */
  maxLifetime?: number;
  /** Most time since `iat`, in seconds: a token that must be fresh (a DPoP proof, RFC 9449 §4.3), whatever its `exp`. */
  maxAge?: number;
  /** Least time a token must have left before `exp`, in seconds (headroom: check --min-ttl, policy min_ttl). */
  minRemaining?: number;
  /**
   * Maximum lifetime of a human (user) token, in seconds, for providers that tell machine and
   * human tokens apart by `sub` (Gooclaim: `sub` is the client id for machine tokens).
   */
  humanMaxLifetime?: number;
  /** The client id whose tokens count as machine tokens for `humanMaxLifetime`. */
  clientId?: string;
  requireJti?: boolean;
  /** The form `jti` must take: `uuid` (RFC 9562; JustGold asks for UUIDs). */
  jtiFormat?: 'uuid';
  requiredScopes?: string[];
  /** How `scope` must be encoded: RFC 8693/9068 space-separated string, or a JSON array. */
  scopeFormat?: 'string' | 'array';
  /** Expected `typ` header, compared as RFC 8725 says (case-insensitive, `application/` optional). */
  typ?: string;
  /** Clock tolerance for exp/nbf/iat, in seconds (default 60). */
  clockTolerance?: number;
  /** The OpenID Connect nonce an ID token must carry (the one the sign-in sent). */
  nonce?: string;
  /**
   * The client an ID token was issued to (OpenID Connect Core §3.1.3.7): an `azp` must name it,
   * and a token for several audiences must carry one.
   */
  authorizedParty?: string;
  /** Extra `crit` header parameters the caller understands (beyond `b64`). */
  understoodCrit?: string[];
  /** Required JSON types of named claims, beyond the registered ones. */
  claimTypes?: Record<string, ClaimType>;
}

/** Context beyond the token and the policy; `now` is a parameter so the module stays pure. */
export interface ValidationContext {
  /** Current time, in seconds since the epoch. */
  now: number;
  /** `jti` values already seen (for replay detection over a batch or a store). */
  seenJti?: { has(jti: string): boolean };
}
