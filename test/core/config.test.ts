import { describe, expect, it } from 'vitest';
import { lineOf, parseConfig, serializeConfig } from '../../src/core/config.js';
import { accountName, credentialAge, decodeCredential, encodeCredential, parseAccount } from '../../src/core/credentials.js';
import { PROVIDERS } from '../../src/core/providers.js';
import { renderCompletion, type CompletionNode } from '../../src/core/completion.js';
import { SECRET_SOURCES, sourceFlags } from '../../src/core/secret-sources.js';
import type { AuthctlError } from '../../src/errors.js';

const failure = (run: () => unknown): { code?: string; message?: string } => {
  try {
    run();
  } catch (error) {
    return { code: (error as AuthctlError).code, message: (error as Error).message };
  }
  return {};
};

describe('the config file', () => {
  it('parses profiles and settings; serializes back to the same config, sorted', () => {
    const text =
      'default_profile = "b"\ntoken_cache = "off"\n[profiles.b]\ntoken_url = "https://as/token"\ngrant = "password"\n[profiles.a]\nclient_id = "x"\n[profiles.a.policy]\naudience = "api"\n';
    const config = parseConfig(text, 'c.toml');
    expect(config).toEqual({
      default_profile: 'b',
      token_cache: 'off',
      profiles: { b: { token_url: 'https://as/token', grant: 'password' }, a: { client_id: 'x', policy: { audience: 'api' } } },
    });
    const again = parseConfig(serializeConfig(config), 'c.toml');
    expect(again).toEqual(config);
    expect(serializeConfig(config).indexOf('[profiles.a]')).toBeLessThan(serializeConfig(config).indexOf('[profiles.b]'));
  });

  it.each([
    ['[profiles.a\n', /c\.toml:1: malformed TOML/],
    ['client_secret = "x"\n', /c\.toml:1: "client_secret" looks like a secret/],
    ['[profiles.a]\npassword = "x"\n', /c\.toml:2: "profiles\.a\.password" looks like a secret/],
    ['[profiles.a]\n[profiles.a.mint]\ntoken = "x"\n', /looks like a secret/],
    ['color = "x"\n', /c\.toml:1: unknown setting "color"/],
    ['default_profile = 1\n', /default_profile must be a string/],
    ['credential_store = "vault"\n', /credential_store must be one of keychain, file/],
    ['token_cache = "memory"\n', /token_cache must be one of file, keychain, off/],
    ['profiles = 1\n', /"profiles" must be a table/],
    ['[profiles."a b"]\n', /profile name "a b" may only use/],
    ['[profiles.a]\ngrant = "implicit"\n', /c\.toml:2: profiles\.a\.grant must be one of/],
    ['[profiles.a]\ntoken_url = 1\n', /profiles\.a\.token_url must be a string/],
    ['[profiles.a]\nmint = 1\n', /profiles\.a\.mint must be a table/],
    ['[profiles.a]\ncolour = "x"\n', /c\.toml:2: profiles\.a\.colour: unknown key/],
    ['[profiles.a]\n[profiles.a.policy]\nleeway = "soon"\n', /profiles\.a\.policy\.leeway: expected a duration/],
  ])('%j is config_invalid with its line', (text, message) => {
    const { code, message: got } = failure(() => parseConfig(text, 'c.toml'));
    expect(code).toBe('config_invalid');
    expect(got).toMatch(message);
  });

  it('the endpoints a person’s sign-in needs can be written by hand, as the hints say (a server with one exact redirect URI)', () => {
    const text =
      '[profiles.me]\nissuer = "https://as.example"\ntoken_url = "https://as.example/token"\nauthorization_url = "https://as.example/authorize"\ndevice_authorization_url = "https://as.example/device"\nredirect_uri = "http://127.0.0.1:8765/callback"\n';
    expect(parseConfig(text, 'c.toml').profiles.me).toMatchObject({
      authorization_url: 'https://as.example/authorize',
      device_authorization_url: 'https://as.example/device',
      redirect_uri: 'http://127.0.0.1:8765/callback',
    });
  });

  it('lineOf finds a profile, a key in it, and a top-level key', () => {
    const text = 'a = 1\n[profiles.x]\nk = 2\n[profiles.y]\nk = 3\n';
    expect([lineOf(text, undefined, 'a'), lineOf(text, 'x'), lineOf(text, 'y', 'k'), lineOf(text, 'z', 'k'), lineOf(text)]).toEqual([
      1,
      2,
      5,
      undefined,
      undefined,
    ]);
  });
});

describe('stored credentials', () => {
  it('accounts, records and ages', () => {
    expect(accountName('kc', 'password')).toBe('kc/password');
    expect(failure(() => accountName('a b', 'password')).code).toBe('invalid_argument');
    expect(parseAccount('kc/password')).toEqual({ profile: 'kc', kind: 'password' });
    expect(parseAccount('nokind')).toBeUndefined();
    const stored = encodeCredential({ kind: 'client_secret', created: 100, secret: 's3' });
    expect(decodeCredential(stored)).toEqual({ kind: 'client_secret', created: 100, secret: 's3' });
    expect(decodeCredential('a bare secret from another tool', 'api_key')).toEqual({ kind: 'api_key', created: 0, secret: 'a bare secret from another tool' });
    expect(decodeCredential('{"not":"ours"}')).toMatchObject({ secret: '{"not":"ours"}' });
    expect(credentialAge(0, 1e9)).toEqual({ days: undefined, stale: false });
    expect(credentialAge(1e9 - 91 * 86400, 1e9)).toEqual({ days: 91, stale: true });
    expect(credentialAge(1e9 - 10 * 86400, 1e9, 30)).toEqual({ days: 10, stale: false });
  });

  it('the one credential table: every kind has an environment variable; flags come in pairs', () => {
    for (const [kind, source] of Object.entries(SECRET_SOURCES)) {
      expect(source.env, kind).toMatch(/^AUTHCTL_[A-Z_]+$/);
      expect(Boolean(source.fileFlag), kind).toBe(Boolean(source.stdinFlag));
    }
    expect(sourceFlags('password')).toBe('--password-file or --password-stdin');
    expect(sourceFlags('refresh_token')).toBeUndefined();
  });
});

describe('built-in policies', () => {
  it('the names help texts show (dependency-free) are the policies there are', async () => {
    const { BUILTIN_POLICY_NAMES } = await import('../../src/core/claims/policy-names.js');
    const { BUILTIN_POLICIES } = await import('../../src/core/claims/policy.js');
    expect([...BUILTIN_POLICY_NAMES]).toEqual(Object.keys(BUILTIN_POLICIES));
  });
});

describe('provider templates', () => {
  it.each(Object.keys(PROVIDERS))('%s fills endpoints from a base URL, and its policy preset exists', (name) => {
    const profile = PROVIDERS[name]!.build('https://x.example/base/');
    expect(profile.provider).toBe(name);
    for (const [key, value] of Object.entries(profile))
      if (key.endsWith('_url') || key === 'jwks_uri') expect(String(value)).toMatch(/^https:\/\/x\.example\/base\//);
    expect(() => parseConfig(serializeConfig({ profiles: { p: profile } }), 'c.toml')).not.toThrow();
    expect(PROVIDERS[name]!.build(undefined).provider).toBe(name);
  });
});

describe('completion scripts', () => {
  const tree: CompletionNode = {
    name: 'authctl',
    description: 'root',
    options: [
      { flags: ['--profile'], takesValue: true, dynamic: 'profiles', description: 'profile' },
      { flags: ['--json'], takesValue: false, description: "it's JSON" },
      { flags: ['-h', '--help'], takesValue: false, description: 'help' },
    ],
    subcommands: [
      {
        name: 'token',
        description: 'tokens',
        options: [],
        subcommands: [
          {
            name: 'get',
            description: 'get one',
            options: [{ flags: ['--grant'], takesValue: true, choices: ['password', 'client_credentials'], description: 'grant' }],
            subcommands: [],
          },
        ],
      },
      { name: 'completion', description: 'scripts', options: [], argument: ['bash', 'zsh', 'fish'], subcommands: [] },
      { name: 'check', description: 'checks', options: [], argument: 'profiles', subcommands: [] },
    ],
  };
  it.each(['bash', 'zsh', 'fish'] as const)('%s: every command, flag, choice and the profile lookup', (shell) => {
    const script = renderCompletion(shell, tree);
    // fish names long flags without their dashes (-l grant)
    for (const word of ['token', 'get', shell === 'fish' ? '-l grant' : '--grant', 'client_credentials', 'bash', 'profile list --names'])
      expect(script, word).toContain(word);
  });
});
