/**
 * Untrusted JSON (token segments, server responses, key and policy files) is parsed here and
 * described here. JSON.parse itself copes with any depth, but everything after it that recurses
 * (JSON.stringify, String(), renderers) overflows the stack a few thousand levels down, so a
 * value nested deeper than any real document is refused at the door.
 */

import { capped, quoted } from './untrusted-text.js';

/** Deeper than any real JWT, JWKS, metadata or token response (they nest three or four levels). */
const MAX_JSON_DEPTH = 64;

export class JsonDepthError extends Error {
  override readonly name = 'JsonDepthError';
  constructor(readonly limit: number) {
    super(`nested deeper than ${limit} levels`);
  }
}

/** Whether a parsed value nests deeper than `limit`; iterative, so it never recurses itself. */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * JSON.parse that refuses values nested deeper than `maxDepth`. Throws SyntaxError for text
 * that is not JSON and JsonDepthError for a value too deep to handle safely.
 *
 * @example parseJson('{"a":[1]}') // { a: [1] }
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const value: unknown = JSON.parse(text);
  if (deeperThan(value, maxDepth)) throw new JsonDepthError(maxDepth);
  return value;
}

/** A plain JSON object (not null, not an array), as a type guard. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Describes an untrusted value for a message, in at most about `max` characters: strings
 * quoted, numbers and booleans as written, arrays and objects abbreviated. It never calls the
 * value's own methods (a header `{"toString": null}` is just data) and never recurses deeper
 * than three levels.
 *
 * @example describeValue({ a: [1, 2] }) // '{"a":[1,2]}'
 */
export function describeValue(value: unknown, max = 60): string {
  const out = describe(value, 3, max + 1);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

/** describeValue, but a string comes out as itself (truncated), for places that print a name: `alg ES256`. */
export function describeBare(value: unknown, max = 60): string {
  return typeof value === 'string' ? capped(value, max) : describeValue(value, max);
}

function describe(value: unknown, depth: number, budget: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quoted(value.length > budget ? value.slice(0, budget) : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${value}`;
    case 'undefined':
      return 'undefined';
    case 'object':
      break;
    default:
      return typeof value;
  }
  if (depth === 0) return Array.isArray(value) ? '[…]' : '{…}';
  const parts: string[] = [];
  let used = 2;
  const entries = Array.isArray(value)
    ? value.map((v) => [undefined, v] as const)
    : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]] as const);
  for (const [key, child] of entries) {
    if (used >= budget) {
      parts.push('…');
      break;
    }
    const text = `${key === undefined ? '' : `${quoted(key)}:`}${describe(child, depth - 1, budget - used)}`;
    parts.push(text);
    used += text.length + 1;
  }
  return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}

/**
 * A table lookup by an untrusted key: own properties only, so "constructor", "toString" or
 * "__proto__" never reach Object.prototype.
 *
 * @example lookup({ a: 1 }, 'constructor') // undefined
 */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
