import { join } from 'node:path';
import type { Deps } from '../../deps.js';
import { maskToken } from '../../core/redact.js';
import { childEnvironment } from '../../core/secret-sources.js';
import { startAuthServer } from '../../io/auth-server.js';
import { runSelf, type ChildResult } from '../../io/child.js';
import { makeTempDir, readTextFile, removeTree, writeFileAtomic } from '../../io/files.js';
import { keepAtExit, removeAtExit } from '../../io/exit-cleanup.js';
import type { CommandResult } from '../../io/output.js';

interface Step {
  /** What the user would type; "$TOKEN" stands for the token from `token get`. */
  args: string[];
  expectCode: number;
  /** Further expectation on the output; returns what went wrong, or undefined. */
  check?: (result: ChildResult) => string | undefined;
  /** Shown instead of stdout (the token itself is not echoed back). */
  summary?: (result: ChildResult) => string;
  assign?: 'TOKEN';
  note: string;
}

export interface StepReport {
  command: string;
  note: string;
  exit_code: number;
  expected_exit_code: number;
  ok: boolean;
  problem?: string;
  output: string;
}

const includes = (text: string) => (r: ChildResult) => (r.stdout.includes(text) ? undefined : `expected "${text}" in the output`);

/** The tour, in order. Each step is a command exactly as a user would type it in the throwaway directory. */
function steps(issuer: string): Step[] {
  // Both profiles are the same client, authenticated by its key (private_key_jwt).
  const client = ['--issuer', issuer, '--client-id', 'demo-client', '--client-auth', 'private_key_jwt', '--private-key', 'client.pem'];
  return [
    { note: 'a key pair for the client (private_key_jwt: no shared secret anywhere)', args: ['keygen', '--type', 'ec', '--out', 'client'], expectCode: 0 },
    {
      note: 'a profile: discovery fills the endpoints from the issuer',
      args: ['profile', 'add', 'demo', ...client, '--expect-aud', 'authctl-dev-api'],
      expectCode: 0,
    },
    {
      note: 'client_credentials, authenticated by a signed client assertion',
      args: ['token', 'get', '--profile', 'demo'],
      expectCode: 0,
      assign: 'TOKEN',
      check: (r) => (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(r.stdout.trim()) ? undefined : 'expected a compact JWT on stdout'),
      summary: (r) => `${maskToken(r.stdout.trim())}  (the bare token, ready for "Authorization: Bearer $TOKEN")`,
    },
    { note: 'what the token says (not a verification)', args: ['decode', '$TOKEN'], expectCode: 0, check: includes('NOT VERIFIED') },
    { note: "its claims against the profile's policy", args: ['lint', '--profile', 'demo', '--require-scope', 'api:read', '$TOKEN'], expectCode: 0 },
    {
      note: 'signature through discovery and the JWKS, then the claims',
      args: ['verify', '--issuer', issuer, '--aud', 'authctl-dev-api', '$TOKEN'],
      expectCode: 0,
      check: includes('valid'),
    },
    {
      note: 'a token with one changed claim fails',
      args: ['verify', '--issuer', issuer, '--aud', 'authctl-dev-api', '$TAMPERED'],
      expectCode: 1,
      check: includes('invalid_signature'),
    },
    { note: 'RFC 7662: the server says it is active', args: ['introspect', '--profile', 'demo', '$TOKEN'], expectCode: 0, check: includes('active') },
    { note: 'RFC 7009 revocation', args: ['token', 'revoke', '--profile', 'demo', '$TOKEN'], expectCode: 0 },
    { note: 'and now it is inactive (exit 1)', args: ['introspect', '--profile', 'demo', '$TOKEN'], expectCode: 1, check: includes('inactive') },
    {
      note: "DPoP (RFC 9449): the same client, its tokens bound to a key of the profile's own",
      args: ['profile', 'add', 'demo-dpop', ...client, '--base-url', issuer, '--dpop'],
      expectCode: 0,
    },
    {
      note: 'the server bound the token to that key (cnf.jkt): its type is DPoP, not Bearer',
      args: ['token', 'get', '--profile', 'demo-dpop', '--jq', '.token_type'],
      expectCode: 0,
      check: includes('DPoP'),
    },
    {
      note: 'an API call with the bound token: a fresh proof of the key for this one request (Bearer would be refused)',
      args: ['api', '--profile', 'demo-dpop', '/v1/hello'],
      expectCode: 0,
      check: includes('"client_id":"demo-client"'),
    },
  ];
}

/** The same token with `sub` changed and the signature kept: what an attacker would try. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  return [header, Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url'), signature].join('.');
}

function shellWord(word: string): string {
  if (word.startsWith('$')) return `"${word}"`;
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const SERVER_SETTINGS = `# the demo's authorization server: one client that authenticates with its key
audiences = ["authctl-dev-api"]
access_token_lifetime = "15m"

[[clients]]
client_id = "demo-client"
public_keys = ["client.pub.pem"]
grants = ["client_credentials"]
scopes = ["api:read", "api:write"]
`;

/**
 * `authctl demo`: a throwaway directory, config and cache; an authorization server in this
 * process on a free loopback port; then each step as a child `authctl` with that environment.
 * Everything is removed at the end, whatever happened.
 */
export async function runDemo(deps: Deps): Promise<CommandResult> {
  const dir = await makeTempDir('authctl-demo-');
  // Ctrl-C or SIGTERM must not leave the throwaway home (a private key is in it) behind either.
  removeAtExit(dir);
  // The steps are children like any other (no secret of the caller's), and print without colour.
  const { FORCE_COLOR: _colour, ...inherited } = childEnvironment(deps.io.env);
  const env: Record<string, string | undefined> = inherited;
  Object.assign(env, { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'), NO_COLOR: '1' });
  const reports: StepReport[] = [];
  let server: Awaited<ReturnType<typeof startAuthServer>> | undefined;
  try {
    // Anything that reaches for a credential store lands in the throwaway directory, never the keychain.
    await writeFileAtomic(join(dir, 'config', 'authctl', 'config.toml'), 'credential_store = "file"\n');
    await writeFileAtomic(join(dir, 'server.toml'), SERVER_SETTINGS);
    const vars: Record<string, string> = {};
    const plan = steps('ISSUER');
    for (const [index, step] of plan.entries()) {
      if (index === 1) {
        // The server needs the client's public key from step 1 before it can start.
        await readTextFile(join(dir, 'client.pub.pem'), 'demo key');
        server = await startAuthServer({ host: '127.0.0.1', port: 0, settingsFile: join(dir, 'server.toml') }, deps.io);
      }
      const args = step.args.map((a) => (a === 'ISSUER' ? server!.issuer : a));
      const command = `${step.assign ? `${step.assign}=$(` : ''}authctl ${args.map(shellWord).join(' ')}${step.assign ? ')' : ''}`;
      const result = await runSelf(
        args.map((a) => (a.startsWith('$') ? (vars[a.slice(1)] ?? a) : a)),
        { env, cwd: dir, timeoutMs: 30_000 },
      );
      const problem =
        result.code !== step.expectCode
          ? `exit ${result.code}, expected ${step.expectCode}${result.stderr ? `: ${result.stderr.trim().split('\n')[0]}` : ''}`
          : step.check?.(result);
      if (step.assign && !problem) {
        vars.TOKEN = result.stdout.trim();
        vars.TAMPERED = tamper(vars.TOKEN);
      }
      const output = step.summary && !problem ? step.summary(result) : (result.stdout || result.stderr).trimEnd();
      reports.push({
        command,
        note: step.note,
        exit_code: result.code,
        expected_exit_code: step.expectCode,
        ok: !problem,
        ...(problem ? { problem } : {}),
        output,
      });
      if (problem) break;
    }
    const ok = reports.length === plan.length && reports.every((r) => r.ok);
    return {
      json: { ok, issuer: server?.issuer, home: dir, steps: reports },
      exitCode: ok ? 0 : 1,
      text: (style) =>
        [
          style.bold(`authctl demo: an authorization server at ${server?.issuer ?? '(not started)'} in this process, a throwaway home in ${dir}`),
          ...reports.map((r) =>
            [
              '',
              style.dim(`# ${r.note}`),
              `${style.cyan('$')} ${r.command}`,
              ...(r.output
                ? r.output
                    .split('\n')
                    .slice(0, 24)
                    .map((line) => `  ${line}`)
                : []),
              r.ok ? style.green(`  ✔ exit ${r.exit_code} as expected`) : style.red(`  ✖ ${r.problem}`),
            ].join('\n'),
          ),
          '',
          ok
            ? style.green(`✔ all ${plan.length} steps behaved as expected; the server is stopped and the throwaway home removed`)
            : style.red(`✖ the demo failed at step ${reports.length} of ${plan.length}`),
        ].join('\n'),
    };
  } finally {
    await server?.close();
    await removeTree(dir);
    keepAtExit(dir);
  }
}
