// Bundles src/main.ts into dist/ with code splitting, so each command's module (and the
// libraries only it needs) is a separate chunk loaded on first use: `authctl decode` never
// loads the HTTP stack or the native keychain binding.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
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
  banner: { js: "import { createRequire as __authctlRequire } from 'node:module'; const require = __authctlRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});
