#!/usr/bin/env node
// Runs the bundle (dist/main.cjs) through V8's code cache: authctl starts dozens of times in a
// script, and compiling the bundle was most of each start. The first successful run of each
// command saves what V8 compiled under $XDG_CACHE_HOME/authctl/code/<node, bundle size and
// mtime>/<command>.bin (0600, in a 0700 directory, like the token cache beside it); later runs
// load it instead of compiling. V8 refuses a cache made for another V8 or source, and then the
// run compiles as usual and saves a fresh one. A cache that cannot be read or written costs
// nothing but the saving. --debug skips it, for stack traces mapped to src/ by the source maps.
'use strict';
// The floor (package.json's engines): older Nodes get one line saying so, never a syntax error or
// a stack trace from a bundle built for a newer one.
const NODE_FLOOR = [22, 19];
const [nodeMajor, nodeMinor] = process.versions.node.split('.').map(Number);
if (nodeMajor < NODE_FLOOR[0] || (nodeMajor === NODE_FLOOR[0] && nodeMinor < NODE_FLOOR[1])) {
  const message = `authctl needs Node ${NODE_FLOOR.join('.')} or later (22 and 24 are the supported lines); this is Node ${process.versions.node}`;
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'unsupported_runtime', message } })}\n`);
  else process.stderr.write(`authctl: error[unsupported_runtime]: ${message}\n`);
  process.exit(2);
}
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { Script } = require('node:vm');

const main = path.join(__dirname, '..', 'dist', 'main.cjs');
// The one rule for which cache files are the user's own (src/io/own-files.ts), shared with the token cache
const ownFiles = require('../dist/own-files.cjs');
// libuv's thread pool runs the signature checks of bulk verify (jose's WebCrypto calls). Its four
// threads on a one- or two-core machine crowd out the main thread, which parses, judges and prints
// every token. One thread per core, at least two, measured 15% faster for RS256 on two cores;
// ES256 and scan moved within the noise. Four or more cores keep libuv's default, and a value set
// by the user stays. libuv reads it when the pool starts, on first use, which is after this line.
if (process.env.UV_THREADPOOL_SIZE === undefined) {
  process.env.UV_THREADPOOL_SIZE = String(Math.min(4, Math.max(2, require('node:os').availableParallelism())));
}
if (process.argv.includes('--debug')) {
  process.setSourceMapsEnabled(true);
  require(main);
} else {
  const cache = cachePlace();
  let cachedData;
  if (cache && ownFiles.untrustedCachePath(cache.top, cache.file) === undefined) {
    try {
      cachedData = fs.readFileSync(cache.file);
    } catch {}
  }
  // CommonJS's own wrapper, so the bundle sees require, module and __filename as it would
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(main, 'utf8')}\n})`;
  const script = new Script(wrapped, { filename: main, cachedData });
  // (the demo promises to leave nothing behind)
  if (cache && (!cachedData || script.cachedDataRejected) && cache.command !== 'demo') process.once('exit', (code) => code === 0 && save(cache, script));
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(main), module, main, path.dirname(main));
}

/** Where this command's cache lives, or undefined when there is no home to keep it in. */
function cachePlace() {
  try {
    const env = process.env;
    const bundle = fs.statSync(main);
    const top = path.join(env.XDG_CACHE_HOME || path.join(env.HOME || require('node:os').homedir(), '.cache'), 'authctl');
    const key = `${process.version}-${process.arch}-${bundle.size}-${Math.trunc(bundle.mtimeMs)}`;
    // one cache per command: each holds the functions its command compiled
    const word = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
    const command = word && /^[a-z]{2,12}$/.test(word) ? word : '_';
    const dirs = [path.join(top, 'code', key), path.join(top, 'code'), top];
    return { key, command, top, dirs, file: path.join(dirs[0], `${command}.bin`) };
  } catch {
    return undefined;
  }
}

function save(cache, script) {
  try {
    // compiled code runs as this user: it is kept only where no one else could write it
    if (ownFiles.ownCacheDir(cache.top, cache.dirs[0]) !== undefined) return;
    const temp = `${cache.file}.${process.pid}`;
    fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(temp, cache.file);
    // caches of earlier builds or node versions
    for (const old of fs.readdirSync(cache.dirs[1])) if (old !== cache.key) fs.rmSync(path.join(cache.dirs[1], old), { recursive: true, force: true });
  } catch {}
}
