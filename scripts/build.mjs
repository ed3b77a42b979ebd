// Bundles src/main.ts into one CommonJS file, dist/main.cjs, that bin/authctl.cjs runs through
// Node's compile cache. One file and a cache measured faster at start-up than ES module chunks, which
// node's loader resolved, read, linked and compiled one by one on every run (about 20 for
// verify). Each command's modules still run only when that command does (esbuild wraps a module
// reached by import() in an initializer): `authctl --version` never runs jose, and `authctl
// decode` never loads the HTTP stack (dist/undici.cjs) or the native keychain binding.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// `authctl version` names the commit it was built from (a tarball without .git says "unknown").
let commit = 'unknown';
let commitDate = new Date().toISOString().slice(0, 10);
try {
  commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  commitDate = execFileSync('git', ['log', '-1', '--format=%cs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {}
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

// commander requires node:child_process at load time, only to run executable subcommands (which
// authctl has none of); loading it compiles net, dgram and more on every start. This hands
// commander a stand-in that loads child_process on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes('node_modules/commander/') ? { path: 'lazy-child-process', namespace: 'authctl' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'authctl' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
      resolveDir: '.',
    }));
  },
};

const common = {
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22.19',
  // Licence notices go in one file (below), not scattered through the bundle.
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};
// undici is two thirds of the bundled code and only the network commands need it: its own file,
// required on first use.
const undici = await build({ ...common, entryPoints: { undici: 'node_modules/undici/index.js' } });
const undiciExternal = {
  name: 'undici-external',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.cjs', external: true }));
  },
};

const result = await build({
  ...common,
  // own-files: the cache-trust rule, which bin/authctl.cjs applies to the compile cache before the bundle runs
  entryPoints: { main: 'src/main.ts', 'scan-worker': 'src/io/scan-worker.ts', 'own-files': 'src/io/own-files.ts' },
  // The native keychain binding ships per-platform binaries, and jq-wasm loads its .wasm beside
  // its own module (only for --jq): both are dependencies, not bundled.
  external: ['@napi-rs/keyring', 'jq-wasm'],
  // import.meta.url (the scan worker's bundle is found beside this one), asked for only by scan
  define: {
    __AUTHCTL_VERSION__: JSON.stringify(pkg.version),
    __AUTHCTL_COMMIT__: JSON.stringify(commit),
    __AUTHCTL_COMMIT_DATE__: JSON.stringify(commitDate),
    'import.meta': '__authctlMeta',
  },
  banner: { js: "var __authctlMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
  plugins: [lazyChildProcess, undiciExternal],
  // Less to read at each start; names stay, and --debug maps stack traces to src/ lines.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  sourcesContent: false,
});
result.metafile.inputs = { ...result.metafile.inputs, ...undici.metafile.inputs };

// Every bundled package's licence, gathered from the build's own list of inputs.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.set(match[1], join('node_modules', match[1]));
}
const notices = [...packages]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `${meta.license ?? 'UNKNOWN'} (no licence file in the package)`;
    return `${name}@${meta.version} (${meta.license ?? 'see below'})\n${'-'.repeat(60)}\n${text}\n`;
  });
writeFileSync('dist/THIRD_PARTY_LICENSES.txt', `Third-party software bundled in authctl's dist/\n\n${notices.join('\n')}`);
if (!existsSync('dist/THIRD_PARTY_LICENSES.txt')) throw new Error('licence notices were not written');

// The man page, from the command tree of the bundle just built (package.json's "man" names it).
const page = execFileSync(process.execPath, ['bin/authctl.cjs', 'man'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
writeFileSync('dist/authctl.1', page);
