#!/usr/bin/env node
// --debug stack traces point at src/ lines: the bundle's source maps are read only when asked.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
await import('../dist/main.js');
