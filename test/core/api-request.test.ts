import { describe, expect, it } from 'vitest';
import { bodyContentType, fieldsObject, fieldsQuery, nextPage, parseField, typedValue } from '../../src/core/api-request.js';
import type { AuthctlError } from '../../src/errors.js';

const f = (text: string) => parseField(text, false);
const F = (text: string) => parseField(text, true);
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return `${(error as AuthctlError).code}: ${(error as Error).message}`;
  }
  return undefined;
};

describe('api fields, as gh api builds them', () => {
  it('-F is typed (true, false, null, integers); -f is always a string', () => {
    expect([typedValue('true'), typedValue('false'), typedValue('null'), typedValue('42'), typedValue('-7'), typedValue('4.2'), typedValue('007')]).toEqual([
      true,
      false,
      null,
      42,
      -7,
      '4.2',
      '007',
    ]);
    expect(fieldsObject([f('a=true'), F('b=true'), F('n=12'), f('s=12')])).toEqual({ a: 'true', b: true, n: 12, s: '12' });
  });

  it('name[] appends, name[sub] nests, and a value keeps its = signs', () => {
    expect(fieldsObject([f('tags[]=a'), f('tags[]=b'), F('meta[level]=2'), f('meta[owner][name]=x=y'), F('rows[][id]=1')])).toEqual({
      tags: ['a', 'b'],
      meta: { level: 2, owner: { name: 'x=y' } },
      rows: [{ id: 1 }],
    });
  });

  it('refuses what cannot be one JSON object, and __proto__', () => {
    expect(refusal(() => parseField('novalue', true))).toBe('invalid_argument: -F "novalue": expected key=value');
    expect(refusal(() => parseField('=v', false))).toMatch(/expected key=value/);
    expect(refusal(() => fieldsObject([f('a=1'), f('a[b]=2')]))).toMatch(/mixes a list, an object and a value/);
    expect(refusal(() => fieldsObject([f('a[]=1'), f('a[b]=2')]))).toMatch(/mixes/);
    expect(refusal(() => fieldsObject([f('__proto__[x]=1')]))).toMatch(/"__proto__" is not a name/);
    expect(refusal(() => fieldsObject([f('a]=1')]))).toMatch(/expected name, name\[\], or name\[sub\]/);
    expect(Object.getPrototypeOf(fieldsObject([f('constructor[prototype]=1')]))).toBe(Object.prototype);
  });

  it('for GET: a query string, arrays as repeated keys, objects as JSON', () => {
    expect(fieldsQuery([f('q=a b'), F('n=1'), f('tag[]=x'), f('tag[]=y'), F('o[k]=true')])).toBe('q=a+b&n=1&tag=x&tag=y&o=%7B%22k%22%3Atrue%7D');
  });

  it('a body given as text is JSON when it parses, else a form', () => {
    expect([bodyContentType('{"a":1}'), bodyContentType('[1]'), bodyContentType('a=1&b=2'), bodyContentType('')]).toEqual([
      'application/json',
      'application/json',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded',
    ]);
  });
});

describe('Link: rel="next" (RFC 8288)', () => {
  it('finds the next page among several links, relative or absolute, with other parameters and rel lists', () => {
    const base = 'https://api.example/items?page=1';
    expect(nextPage('<https://api.example/items?page=2>; rel="next", <https://api.example/items?page=9>; rel="last"', base)).toBe(
      'https://api.example/items?page=2',
    );
    expect(nextPage('</items?page=3>; title="x"; rel="prev next"', base)).toBe('https://api.example/items?page=3');
    expect(nextPage(['<https://api.example/a>; rel=first', '<https://api.example/b>; rel=next'], base)).toBe('https://api.example/b');
    expect(nextPage('<https://api.example/items?page=9>; rel="last"', base)).toBeUndefined();
    expect(nextPage(undefined, base)).toBeUndefined();
    expect(nextPage('<http://[bad>; rel="next"', base)).toBeUndefined();
  });

  it('a hostile header (no closing >, a thousand links, odd parameters) gives no next page or the right one', () => {
    expect(nextPage('<'.repeat(16_000), 'https://x/')).toBeUndefined();
    expect(nextPage(`${'<https://x/a>; rel="prev", '.repeat(1000)}<https://x/z>; rel="next"`, 'https://x/')).toBe('https://x/z');
    expect(nextPage(`<https://x/a>${';'.repeat(16_000)}`, 'https://x/')).toBeUndefined();
  });
});
