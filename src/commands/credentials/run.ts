import type { Deps, GlobalOptions } from '../../deps.js';
import { AuthError, UsageError } from '../../errors.js';
import { accountName, credentialAge, decodeCredential, encodeCredential, parseAccount, MAX_SECRET_CHARS, type CredentialKind } from '../../core/credentials.js';
import { formatIsoTime } from '../../core/duration.js';
import { fingerprint } from '../../core/redact.js';
import { readTextFile } from '../../io/files.js';
import { selectProfile } from '../../io/config-store.js';
import { promptHidden } from '../../io/prompt.js';
import { readAll } from '../../io/streams.js';
import { counted, renderColumns, renderTable, type CommandResult } from '../../io/output.js';

export interface StoreChoice {
  store?: 'keychain' | 'file';
}

/** The profile a credential belongs to: --profile, else the default profile; it must exist. */
async function credentialProfile(deps: Deps, globals: GlobalOptions): Promise<string> {
  const selected = selectProfile(await deps.config(globals), globals.profile, true);
  if (!selected)
    throw new UsageError(
      'profile_not_found',
      'no profile selected, and no default profile',
      'pass --profile NAME, or create one first: authctl profile add NAME',
    );
  return selected.name;
}

async function readNewSecret(options: { stdin?: boolean; file?: string; kind: CredentialKind }, deps: Deps): Promise<string> {
  if (options.stdin && options.file) throw new UsageError('conflicting_options', 'give the secret through --stdin or --file, not both');
  let secret: string | undefined;
  if (options.file) secret = await readTextFile(options.file, 'secret file', MAX_SECRET_CHARS * 4);
  else if (options.stdin) secret = await readAll(deps.io.stdin, MAX_SECRET_CHARS * 2);
  else if (deps.io.stdin.isTTY) secret = await promptHidden(`${options.kind.replace('_', ' ')}: `, deps.io);
  else throw new UsageError('missing_secret', 'no secret given', 'pipe it with --stdin, name a file with --file, or run on a terminal to be prompted');
  if (secret === undefined) throw new UsageError('invalid_argument', 'the secret is too large');
  // Editors and echo add one trailing newline; a PEM key keeps its own line structure.
  const value = options.kind === 'private_key' ? `${secret.trimEnd()}\n` : secret.replace(/\r?\n$/, '');
  if (!value.trim()) throw new UsageError('invalid_argument', 'the secret is empty');
  if (value.length > MAX_SECRET_CHARS)
    throw new UsageError('invalid_argument', `the secret is ${value.length} characters, over the ${MAX_SECRET_CHARS} the OS keychains reliably hold`);
  return value;
}

export async function runCredentialsSet(
  options: StoreChoice & { kind: CredentialKind; stdin?: boolean; file?: string },
  deps: Deps,
  globals: GlobalOptions,
): Promise<CommandResult> {
  const profile = await credentialProfile(deps, globals);
  const account = accountName(profile, options.kind);
  const secret = await readNewSecret(options, deps);
  const store = await deps.keystore(globals, options.store);
  const created = deps.now();
  await store.set(account, encodeCredential({ kind: options.kind, created, secret }));
  return {
    json: { profile, kind: options.kind, account, store: store.description, created, fingerprint: fingerprint(secret) },
    text: (style) =>
      `${style.green('✔')} stored ${options.kind} for profile ${style.bold(profile)} in ${store.description} ${style.dim(`(${fingerprint(secret)})`)}`,
  };
}

export async function runCredentialsGet(
  options: StoreChoice & { kind: CredentialKind; reveal?: boolean },
  deps: Deps,
  globals: GlobalOptions,
): Promise<CommandResult> {
  const profile = await credentialProfile(deps, globals);
  const store = await deps.keystore(globals, options.store);
  const raw = await store.get(accountName(profile, options.kind));
  if (raw === undefined) {
    throw new AuthError(
      'credential_not_found',
      `no ${options.kind} stored for profile "${profile}" in ${store.description}`,
      `store one with: authctl credentials set ${options.kind} --profile ${profile}`,
    );
  }
  const credential = decodeCredential(raw, options.kind);
  const age = credentialAge(credential.created, deps.now());
  const meta = {
    profile,
    kind: options.kind,
    store: store.description,
    created: credential.created || null,
    age_days: age.days ?? null,
    rotation_due: age.stale,
    fingerprint: fingerprint(credential.secret),
  };
  if (options.reveal) {
    // Printing the secret is what --reveal asks for; nothing else ever prints it.
    return { json: { ...meta, secret: credential.secret }, text: () => credential.secret };
  }
  return {
    json: meta,
    text: (style) =>
      `${renderTable(
        [
          ['profile', profile],
          ['kind', options.kind],
          ['store', store.description],
          ['created', credential.created ? `${formatIsoTime(credential.created)} (${age.days} days ago)` : 'unknown'],
          ['rotation', age.stale ? style.yellow('due: older than 90 days') : 'ok'],
          ['fingerprint', meta.fingerprint],
        ],
        style,
        '',
      )}\n${style.dim('the value is shown only with --reveal')}`,
  };
}

export async function runCredentialsDelete(options: StoreChoice & { kind: CredentialKind }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const profile = await credentialProfile(deps, globals);
  const store = await deps.keystore(globals, options.store);
  if (!(await store.delete(accountName(profile, options.kind)))) {
    throw new AuthError('credential_not_found', `no ${options.kind} stored for profile "${profile}" in ${store.description}`);
  }
  return {
    json: { deleted: { profile, kind: options.kind } },
    text: (style) => `${style.green('✔')} deleted ${options.kind} for profile ${style.bold(profile)}`,
  };
}

export async function runCredentialsList(options: StoreChoice & { maxAge: number }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const store = await deps.keystore(globals, options.store);
  const now = deps.now();
  const rows = (await store.list())
    .filter(({ account }) => !account.includes('/token:')) // cached tokens: see `authctl token cache list`
    .map(({ account, value }) => {
      const parsed = parseAccount(account);
      const credential = decodeCredential(value, parsed?.kind);
      const age = credentialAge(credential.created, now, options.maxAge);
      return {
        profile: parsed?.profile ?? account,
        kind: credential.kind,
        created: credential.created || null,
        age_days: age.days ?? null,
        rotation_due: age.stale,
      };
    })
    .filter((row) => !globals.profile || row.profile === globals.profile)
    .sort((a, b) => `${a.profile}/${a.kind}`.localeCompare(`${b.profile}/${b.kind}`));
  return {
    json: { store: store.description, credentials: rows },
    text: (style) =>
      rows.length
        ? renderColumns(
            ['CREDENTIAL', 'CREATED', 'AGE', ''],
            rows.map((r) => [
              `${r.profile}/${r.kind}`,
              (r.created ? formatIsoTime(r.created) : undefined) ?? 'unknown',
              r.age_days === null ? '?' : counted(r.age_days, 'day'),
              r.rotation_due ? `rotate: older than ${counted(options.maxAge, 'day')}` : '',
            ]),
            style,
            [undefined, undefined, undefined, style.yellow],
          )
        : style.dim(`no credentials in ${store.description}`),
  };
}
