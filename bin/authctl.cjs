#!/usr/bin/env node
// Runs the bundle (dist/main.cjs) through V8's code cache: authctl starts dozens of times in a
// script, and compiling the bundle was most of each start. The first successful run of each
// command saves what V8 compiled under $XDG_CACHE_HOME/authctl/code/<node, bundle size and
// mtime>/<command>.bin (0600, in a 0700 directory, like the token cache beside it); later runs
// load it instead of compiling. V8 refuses a cache made for another V8 or source, and then the
// run compiles as usual and saves a fresh one. A cache that cannot be read or written costs
// nothing but the saving. --debug skips it, for stack traces mapped to src/ by the source maps.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { Script } = require('node:vm');

const main = path.join(__dirname, '..', 'dist', 'main.cjs');
if (process.argv.includes('--debug')) {
  process.setSourceMapsEnabled(true);
  require(main);
} else {
  const env = process.env;
  const bundle = fs.statSync(main);
  const root = path.join(env.XDG_CACHE_HOME || path.join(env.HOME || require('node:os').homedir(), '.cache'), 'authctl', 'code');
  const key = `${process.version}-${process.arch}-${bundle.size}-${Math.trunc(bundle.mtimeMs)}`;
  // one cache per command: each holds the functions its command compiled
  const word = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  const file = path.join(root, key, `${word && /^[a-z]{2,12}$/.test(word) ? word : '_'}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch {}
  const script = new Script(Module.wrap(fs.readFileSync(main, 'utf8')), { filename: main, cachedData });
  // (the demo promises to leave nothing behind)
  if ((!cachedData || script.cachedDataRejected) && word !== 'demo') process.once('exit', (code) => code === 0 && save(root, key, file, script));
  const module = new Module(main, null);
  module.filename = main;
  module.paths = Module._nodeModulePaths(path.dirname(main));
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(main), module, main, path.dirname(main));
}

function save(root, key, file, script) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}`;
    fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(temp, file);
    // caches of earlier builds or node versions
    for (const old of fs.readdirSync(root)) if (old !== key) fs.rmSync(path.join(root, old), { recursive: true, force: true });
  } catch {}
}
