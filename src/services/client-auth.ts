import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import type { Profile } from '../core/config.js';
import { clientAssertionClaims, type ClientCredentials } from '../core/oauth/token.js';
import { signJwt } from '../core/jwt/mint.js';
import { assertAlgorithmFits, defaultAlgorithm } from '../core/keys/algorithms.js';
import { loadKeyFile } from '../io/key-file.js';
import type { GivenSource } from '../io/secret-input.js';
import { requireSecret, requireSecretFrom, type StoreAccess } from './secrets.js';
import { secretKey } from './signing-key.js';

/** How the client proves who it is, and the other secrets a grant needs. */
export interface ClientAuth {
  clientCredentials(): Promise<ClientCredentials>;
  /** An RFC 7523 §2.1 authorization grant, signed with the profile's key: sub is the profile's username, else the client. */
  grantAssertion(): Promise<string>;
  password(): Promise<string>;
}

/**
 * The profile's client authentication (client_auth): a secret (Basic or in the form), a signed
 * assertion (RFC 7523: with the secret, a key file, or a private key in the credential store),
 * an API key, or none. Secrets come through the one resolver, on first use.
 */
export function clientAuth(profile: Profile, sources: { clientSecret: GivenSource; password: GivenSource }, deps: Deps, access: StoreAccess): ClientAuth {
  async function signingKey() {
    if (profile.client_auth === 'client_secret_jwt') return secretKey(await requireSecret('client_secret', sources.clientSecret, deps, access));
    if (profile.private_key) return loadKeyFile(profile.private_key, {}, deps.io);
    const pem = await requireSecret('private_key', {}, deps, access);
    const { loadKey } = await import('../core/keys/load.js');
    return loadKey(pem);
  }

  async function assertion(subject?: string): Promise<string> {
    const clientId = profile.client_id;
    if (!clientId) throw new UsageError('missing_client_setting', `client_auth ${profile.client_auth} needs client_id in the profile`);
    const audience =
      !profile.assertion_audience || profile.assertion_audience === 'token_url'
        ? profile.token_url
        : profile.assertion_audience === 'issuer'
          ? profile.issuer
          : profile.assertion_audience;
    if (!audience) throw new UsageError('missing_client_setting', 'the client assertion needs an audience: a token_url or issuer in the profile');
    const key = await signingKey();
    const alg = profile.client_auth === 'client_secret_jwt' ? (profile.alg ?? 'HS256') : (profile.alg ?? defaultAlgorithm(key));
    assertAlgorithmFits(alg, key);
    const kid = profile.kid ?? key.kid;
    return signJwt(clientAssertionClaims(clientId, audience, deps.now(), randomUUID(), 60, subject), { typ: 'JWT', ...(kid ? { kid } : {}) }, key, alg);
  }

  return {
    async clientCredentials() {
      const method = profile.client_auth ?? 'client_secret_basic';
      const clientId = profile.client_id;
      if (method === 'client_secret_basic' || method === 'client_secret_post') {
        const { value, origin } = await requireSecretFrom('client_secret', sources.clientSecret, deps, access);
        return { clientId, clientSecret: value, secretOrigin: origin };
      }
      if (method === 'client_secret_jwt' || method === 'private_key_jwt') return { clientId, clientAssertion: await assertion() };
      if (method === 'api_key') {
        const { value, origin } = await requireSecretFrom('api_key', sources.clientSecret, deps, access);
        return { apiKey: value, secretOrigin: origin };
      }
      return { clientId };
    },
    grantAssertion: () => assertion(profile.username ?? profile.client_id),
    password: () => requireSecret('password', sources.password, deps, access),
  };
}
