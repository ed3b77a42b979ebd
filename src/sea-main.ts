// The single executable's script (scripts/sea.mjs): its start, then the program. Imports run in order.
import './sea-env.js';
import './main.js';
