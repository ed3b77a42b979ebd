#!/usr/bin/env node
// The same program for scripts that run bin/authctl.js by its path; the npm bin is authctl.cjs.
await import('./authctl.cjs');
