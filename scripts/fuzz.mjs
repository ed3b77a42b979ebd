// npm run fuzz -- [--count N] [--seed S] [--target NAME] [--json]
// Bundles scripts/fuzz/harness.ts (the CLI's own parsers) and runs it in this plain node
// process, so deep inputs meet the same stack size as in `authctl`. Prints inputs, rate and
// failures; exits 1 if any input gave anything but a coded result.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
    target: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'authctl-fuzz-'));
try {
  const outfile = join(dir, 'harness.mjs');
  await build({
    entryPoints: [new URL('./fuzz/harness.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22.19',
    external: ['@napi-rs/keyring'],
    define: { __AUTHCTL_VERSION__: '"fuzz"' },
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    logLevel: 'warning',
  });
  const { fuzz } = await import(pathToFileURL(outfile).href);
  const report = await fuzz(Number(values.count), Number(values.seed), values.target);
  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(
      `fuzz: ${report.inputs} inputs (seed ${report.seed}) in ${report.seconds} s, ${report.rate} inputs/s: ${Object.entries(report.byTarget)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    for (const f of report.failures.slice(0, 20)) console.log(`  FAIL ${f.target} seed ${f.seed}: ${f.error}`);
    console.log(`${report.inputs - report.failures.length} passed, ${report.failures.length} failed`);
  }
  process.exitCode = report.failures.length ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
