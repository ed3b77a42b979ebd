#!/usr/bin/env node
// A scripted person at a browser, for the sign-in tests (no real browser, none opened in CI).
// It follows redirects with a cookie jar, fills in the first form of each page (username or
// login, password, user_code) and presses the button that goes on (or, with action "deny", the
// one that refuses), until the browser is sent back to a loopback address (the CLI's listener)
// or a page has no form left. As $BROWSER it takes the URL as its last argument and reads
// UA_USERNAME, UA_PASSWORD, UA_ACTION and UA_USER_CODE from the environment.

const REFUSE = /deny|abort|cancel|no\b/i;

function decode(text) {
  return text
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function attr(tag, name) {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decode(m[2] ?? m[3] ?? m[4] ?? '') : undefined;
}

function firstForm(html) {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const open = /<form\b[^>]*>/i.exec(form[0])[0];
  const inputs = [...form[1].matchAll(/<input\b[^>]*>/gi)].map((m) => m[0]);
  const buttons = [...form[1].matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/gi)].map((m) => ({ tag: m[0], text: m[1] }));
  return { action: attr(open, 'action'), method: (attr(open, 'method') ?? 'get').toUpperCase(), inputs, buttons };
}

export async function signIn(startUrl, { username, password, action = 'approve', userCode, log = () => {} } = {}) {
  const jar = new Map();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let url = startUrl;
  let init = { method: 'GET' };
  for (let step = 0; step < 30; step++) {
    const target = new URL(url);
    log(`${init.method} ${target.origin}${target.pathname}`);
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: cookieHeader() } });
    for (const line of res.headers.getSetCookie?.() ?? []) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), url);
      // Back at the CLI's loopback listener: deliver the redirect and stop.
      if (['127.0.0.1', 'localhost', '[::1]'].includes(next.hostname) && next.port !== target.port) {
        log(`callback ${next.pathname}`);
        const done = await fetch(next);
        return { callback: next.toString(), status: done.status };
      }
      url = next.toString();
      init = { method: 'GET' };
      continue;
    }
    const html = await res.text();
    const form = firstForm(html);
    if (!form) return { page: html, status: res.status };
    const fields = new URLSearchParams();
    for (const input of form.inputs) {
      const name = attr(input, 'name');
      if (!name) continue;
      const type = (attr(input, 'type') ?? 'text').toLowerCase();
      if (type === 'submit' || type === 'button') continue;
      if (/^(username|login|email)$/i.test(name)) fields.set(name, username ?? '');
      else if (/password/i.test(name)) fields.set(name, password ?? '');
      else if (/user_code/i.test(name)) fields.set(name, attr(input, 'value') || userCode || '');
      else fields.set(name, attr(input, 'value') ?? '');
    }
    const buttons = form.buttons.filter((b) =>
      action === 'deny' ? REFUSE.test(`${attr(b.tag, 'value') ?? ''} ${b.text}`) : !REFUSE.test(`${attr(b.tag, 'value') ?? ''} ${b.text}`),
    );
    const button = buttons[0];
    if (button && attr(button.tag, 'name')) fields.set(attr(button.tag, 'name'), attr(button.tag, 'value') ?? '');
    const submitTo = new URL(form.action ?? url, url).toString();
    if (form.method === 'POST') {
      url = submitTo;
      init = { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    } else {
      const next = new URL(submitTo);
      for (const [k, v] of fields) next.searchParams.set(k, v);
      url = next.toString();
      init = { method: 'GET' };
    }
  }
  throw new Error('the sign-in did not finish in 30 steps');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { appendFileSync } = await import('node:fs');
  const log = (line) => process.env.UA_LOG && appendFileSync(process.env.UA_LOG, `${line}\n`);
  signIn(process.argv.at(-1), {
    username: process.env.UA_USERNAME,
    password: process.env.UA_PASSWORD,
    action: process.env.UA_ACTION,
    userCode: process.env.UA_USER_CODE,
    log,
  })
    .then((result) => log(`done ${JSON.stringify({ status: result.status, callback: result.callback })}`))
    .catch((error) => log(`failed ${error.message}`));
}
