import { UsageError } from '../errors.js';
import { parseJson } from './json.js';

/**
 * `authctl api`'s request parameters as `gh api` takes them: `-f key=value` is a string, `-F
 * key=value` is typed (true, false, null and integers become JSON; `@file` is the file's
 * contents), `key[]=v` appends to an array, `key[sub]=v` nests. Pure: file reads are the caller's.
 */
export interface Field {
  key: string;
  value: string;
  typed: boolean;
}

/** `key=value` as given to -f or -F. */
export function parseField(text: string, typed: boolean): Field {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError('invalid_argument', `${typed ? '-F' : '-f'} ${JSON.stringify(text)}: expected key=value`);
  return { key: text.slice(0, eq), value: text.slice(eq + 1), typed };
}

/** -F's magic: `true`, `false`, `null` and integers as JSON; anything else a string (files are read before). */
export function typedValue(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (/^-?(0|[1-9]\d{0,15})$/.test(value)) return Number(value);
  return value;
}

/** The key path of `a[b][]`: ['a', 'b', '']; an empty part appends. */
function keyPath(key: string): string[] {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!m) throw new UsageError('invalid_argument', `field name ${JSON.stringify(key)}: expected name, name[], or name[sub]`);
  return [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((p) => p[1]!)];
}

/** The JSON object the fields make (the request body, or the query for GET). */
export function fieldsObject(fields: readonly Field[]): Record<string, unknown> {
  type Node = Record<string, unknown> | unknown[];
  const root: Record<string, unknown> = Object.create(null);
  const mixed = (key: string) => new UsageError('invalid_argument', `field ${JSON.stringify(key)} mixes a list, an object and a value at one name`);
  for (const field of fields) {
    const path = keyPath(field.key);
    const value = field.typed ? typedValue(field.value) : field.value;
    let node: Node = root;
    for (const [i, part] of path.entries()) {
      if (part === '__proto__') throw new UsageError('invalid_argument', `field ${JSON.stringify(field.key)}: "__proto__" is not a name authctl sends`);
      const last = i === path.length - 1;
      const child = (): Node => (path[i + 1] === '' ? [] : Object.create(null));
      if (Array.isArray(node)) {
        // only [] reaches a list: each one appends
        const next = last ? value : child();
        node.push(next);
        if (!last) node = next as Node;
      } else if (last) {
        node[part] = value;
      } else {
        const existing = node[part];
        if (existing === undefined) node[part] = child();
        else if (typeof existing !== 'object' || existing === null || Array.isArray(existing) !== (path[i + 1] === '')) throw mixed(field.key);
        node = node[part] as Node;
      }
    }
  }
  return JSON.parse(JSON.stringify(root)) as Record<string, unknown>;
}

/** The fields as a query string (GET): nested values as JSON, arrays as repeated keys. */
export function fieldsQuery(fields: readonly Field[]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fieldsObject(fields))) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, typeof item === 'string' ? item : JSON.stringify(item));
  }
  return params.toString();
}

/** The content type a body given as text is sent with: JSON when it parses as JSON, else a form. */
export function bodyContentType(text: string): string {
  try {
    parseJson(text);
    return 'application/json';
  } catch {
    return 'application/x-www-form-urlencoded';
  }
}

/**
 * The next page of an RFC 8288 `Link` header (`<url>; rel="next"`), resolved against the page's
 * URL, or undefined. Where it may be sent is the origin rule's job, not this one's.
 */
export function nextPage(link: string | string[] | undefined, base: string): string | undefined {
  for (const header of Array.isArray(link) ? link : link ? [link] : []) {
    // One pass: each <target> and the parameters up to the next one (a regex over the whole
    // header could go back and forth on a hostile one).
    let from = 0;
    for (let start = header.indexOf('<', from); start !== -1; start = header.indexOf('<', from)) {
      const end = header.indexOf('>', start + 1);
      if (end === -1) break;
      const following = header.indexOf('<', end + 1);
      const params = header.slice(end + 1, following === -1 ? undefined : following);
      const rel = /;\s*rel\s*=\s*"?([^";,]*)"?/i.exec(params)?.[1] ?? '';
      if (rel.toLowerCase().split(/\s+/).includes('next')) return URL.parse(header.slice(start + 1, end), base)?.href;
      from = end + 1;
    }
  }
  return undefined;
}
