/**
 * THE sanitizer: text that came from outside (a token's header or claims, a key, a server's
 * words, a scanned line, a device code) reaches a terminal only through here. C0 and C1 controls,
 * DEL, the line and paragraph separators and the bidi controls (which reorder what a person reads)
 * are shown as escapes, in JSON's spelling, so a value stays on one line and means what it shows.
 */

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ue000\ue001]/g;
const UNSAFE_TEST = new RegExp(UNSAFE.source);
// The same, less the marks of words from outside (below): for authctl's own messages, which carry such words.
const UNSAFE_IN_MESSAGE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, less the newline: for whole renderings, whose lines authctl itself laid out.
const UNSAFE_IN_LINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SGR = /(\u001b\[[0-9;]*m)/;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  return SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * One value from outside, fit for a terminal: every control and bidi character escaped.
 *
 * @example sanitize('evil\u001b]0;title\u0007\nrow') // 'evil\\u001b]0;title\\u0007\\nrow'
 */
export function sanitize(text: string): string {
  return UNSAFE_TEST.test(text) ? text.replace(UNSAFE, escapeChar) : text;
}

/**
 * One of authctl's own messages (an error, a finding), kept on one line: any control or bidi
 * character that slipped into it is escaped, and the marked words from outside stay marked.
 *
 * @example oneLine('a\nb') // 'a\\nb'
 */
export function oneLine(message: string): string {
  return message.replace(UNSAFE_IN_MESSAGE, escapeChar);
}

/**
 * A whole human rendering on its way to a terminal: authctl's own newlines stay, and so do its own
 * colour codes when colour is on; any other control or bidi character is escaped. The net under
 * the values, which are sanitized where they are put into a line.
 *
 * @example terminalSafe('ok\n\u202eevil', false) // 'ok\n\\u202eevil'
 */
export function terminalSafe(text: string, keepColour: boolean): string {
  if (!keepColour) return text.replace(UNSAFE_IN_LINES, escapeChar);
  return text
    .split(SGR)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(UNSAFE_IN_LINES, escapeChar)))
    .join('');
}

// JSON.stringify escapes C0 controls itself; these it leaves raw.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1, bidi) written as `\uXXXX`: the
 * same JSON value, safe on a terminal. They can only occur inside strings, where the escape is exact.
 *
 * @example JSON.parse(jsonSafe(JSON.stringify('\u202e'))) === '\u202e' // true
 */
export function jsonSafe(json: string): string {
  return json.replace(UNSAFE_IN_JSON, escapeChar);
}

/**
 * A string from outside as a JSON string literal for a message: JSON's escapes, plus the
 * characters JSON leaves raw and the marks of outside words.
 *
 * @example quoted('a\u202e') // '"a\\u202e"'
 */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(UNSAFE_QUOTED, escapeChar);
}
const UNSAFE_QUOTED = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ue000\ue001]/g;

/*
 * Redaction by construction. authctl's own sentences never hold a secret, so they are never
 * rewritten; only words from outside are, since a server can echo what it was sent. Such words are
 * marked where they enter a message or a result (`said`, `printable`: two private-use characters
 * around them, which sanitize escapes in the words themselves), and the output edge redacts inside
 * the marks and drops them (`revealSaid`).
 */
const OPEN = '\ue000';
const CLOSE = '\ue001';
const SAID = /\ue000([^\ue001]*)\ue001/g;

/**
 * A server's or a file's words, sanitized and marked for the output edge's redaction.
 *
 * @example said('ok\n') // '\ue000ok\\n\ue001'
 */
export function said(text: string): string {
  return `${OPEN}${sanitize(text)}${CLOSE}`;
}

/**
 * `said`, capped: a server's words for a one-line message.
 *
 * @example printable('bad\n\u001b[31mred', 20) // '\ue000bad\\n\\u001b[31mred\ue001'
 */
export function printable(text: string, max = 300): string {
  return `${OPEN}${capped(text, max)}${CLOSE}`;
}

/**
 * Sanitized and cut to at most `max` characters: a name from a token (`alg`, `kid`) in a message.
 *
 * @example capped('ES256\n', 60) // 'ES256\\n'
 */
export function capped(text: string, max: number): string {
  const clean = sanitize(text.length > max * 2 ? text.slice(0, max * 2) : text);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * Rendered output with the outside words redacted (when a redactor is given) and their marks
 * dropped; authctl's own words pass untouched.
 *
 * @example revealSaid(`bad secret: ${said('s3cr3t')}`, (t) => t.replace('s3cr3t', '***')) // 'bad secret: ***'
 */
export function revealSaid(text: string, redact?: (words: string) => string): string {
  if (!text.includes(OPEN)) return text;
  return text.replace(SAID, (_, words: string) => (redact ? redact(words) : words));
}
