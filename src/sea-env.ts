import { availableParallelism } from 'node:os';

// The single executable's start, before the program: what bin/authctl.cjs does for the npm
// package (the Node version and its compile cache need nothing here: this Node is the one built
// in, and the script's code cache was made with the executable).
if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = String(Math.min(4, Math.max(2, availableParallelism())));
