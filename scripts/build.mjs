// Bundles src/main.ts into dist/ with code splitting, so each command's module (and the
// libraries only it needs) is a separate chunk loaded on first use: `authctl decode` never
// loads the HTTP stack or the native keychain binding.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const BANNER = "import { createRequire as __authctlRequire } from 'node:module'; const require = __authctlRequire(import.meta.url);";

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

// esbuild puts a module shared by entry points (main, and each module loaded with import()) in a
// chunk per set of entry points that reach it: one tiny chunk, one more file for node's loader to
// resolve, read and link, per shared module (15 of them before any command ran). KERNEL, the small
// dependency-free modules that nearly everything needs (help texts included), is imported by every
// source file, so all of it lands in one chunk. (Grouping decode/lint/verify's JWT path the same
// way measured no faster: those modules are also import() targets of their own.)
const KERNEL = [
  'src/errors.ts',
  'src/version.ts',
  'src/core/json.ts',
  'src/core/duration.ts',
  'src/core/secret-sources.ts',
  'src/core/scan/catalog.ts',
  'src/core/config-values.ts',
  'src/core/keys/kinds.ts',
  'src/core/server/defaults.ts',
  'src/core/providers.ts',
  'src/core/credentials.ts',
  'src/core/keys/algorithms.ts',
  'src/core/claims/policy-names.ts',
  'src/io/streams.ts',
  'src/io/output.ts',
].map((f) => resolve(f));
for (const file of KERNEL) if (!existsSync(file)) throw new Error(`KERNEL names ${file}, which does not exist`);
const kernelImports = KERNEL.map((f) => `import ${JSON.stringify(f)};`).join(' ');
const oneKernelChunk = {
  name: 'one-kernel-chunk',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) =>
      // on the first line, so the source maps' line numbers stay right
      KERNEL.includes(args.path) ? undefined : { contents: `${kernelImports} ${readFileSync(args.path, 'utf8')}`, loader: 'ts' },
    );
  },
};

const result = await build({
  // The scan worker sits beside the chunks that start it (src/io/scan-files.ts).
  entryPoints: { main: 'src/main.ts', 'chunks/scan-worker': 'src/io/scan-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  // The native keychain binding ships per-platform binaries and cannot be bundled.
  external: ['@napi-rs/keyring'],
  define: { __AUTHCTL_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS (commander) calls require() for node built-ins.
  banner: { js: BANNER },
  plugins: [lazyChildProcess, oneKernelChunk],
  chunkNames: 'chunks/[name]-[hash]',
  // Licence notices go in one file (below), not scattered through the chunks.
  legalComments: 'none',
  metafile: true,
  // For --debug: stack traces that point at src/ lines (bin/authctl.js enables them then).
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});

// Only the chunk that defines esbuild's __require needs a real require(); elsewhere the banner
// would cost an import of node:module and an import.meta per chunk. It becomes an empty line, so
// the source maps still line up.
for (const file of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith(BANNER)) throw new Error(`${file} does not start with the banner`);
  if (!text.includes('var __require = ')) writeFileSync(file, text.slice(BANNER.length));
}

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
