#!/usr/bin/env node
// Runs the bundle (dist/main.cjs) through Node's own compile cache (module.enableCompileCache):
// authctl starts dozens of times in a script, and compiling the bundle was most of each start.
// Node keeps what V8 compiled under $XDG_CACHE_HOME/authctl/code/ (one entry per Node version and
// source, checked against both) and later runs load it instead of compiling. Measured against the
// hand-written vm.Script loader this replaces, on Node 22 and 24: within 3% for decode, lint and
// --help, so the loader went. Compiled code runs as this user, so the cache is used only in a
// directory that is this user's own (src/io/own-files.ts). --debug skips it, for stack traces
// mapped to src/ by the source maps; the demo writes none.
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
const path = require('node:path');

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
} else if (!process.argv.includes('demo')) {
  const dir = cacheDir();
  if (dir && ownFiles.ownCacheDir(dir.top, dir.code) === undefined) require('node:module').enableCompileCache(dir.code);
}
require(main);

/** Where the compile cache lives, or undefined when there is no home to keep it in. */
function cacheDir() {
  try {
    const env = process.env;
    const top = path.join(env.XDG_CACHE_HOME || path.join(env.HOME || require('node:os').homedir(), '.cache'), 'authctl');
    return { top, code: path.join(top, 'code') };
  } catch {
    return undefined;
  }
}
