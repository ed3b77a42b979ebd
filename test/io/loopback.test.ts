import { afterEach, describe, expect, it } from 'vitest';
import { type Callback, listenForCallback } from '../../src/io/loopback.js';

const open: Callback[] = [];
afterEach(async () => {
  for (const callback of open.splice(0)) await callback.close();
});

async function listen(fixed?: string): Promise<Callback> {
  const callback = await listenForCallback(fixed);
  open.push(callback);
  return callback;
}

describe('the loopback listener for the sign-in redirect', () => {
  it('listens on 127.0.0.1 with a port the system picks, and hands over the first callback query', async () => {
    const callback = await listen();
    expect(callback.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const waiting = callback.wait(5000);
    const other = await fetch(new URL('/favicon.ico', callback.redirectUri));
    expect(other.status).toBe(404);
    const page = await fetch(`${callback.redirectUri}?code=c1&state=s1`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('Signed in');
    const query = await waiting;
    expect(query.get('code')).toBe('c1');
    expect(query.get('state')).toBe('s1');
  });

  it('an error redirect (no code) is a failure page, and its query is still delivered for the caller to judge', async () => {
    const callback = await listen();
    const waiting = callback.wait(5000);
    const page = await fetch(`${callback.redirectUri}?error=access_denied&state=s1`);
    expect(page.status).toBe(400);
    expect((await waiting).get('error')).toBe('access_denied');
  });

  it('gives up after the wait with access_denied', async () => {
    const callback = await listen();
    await expect(callback.wait(50)).rejects.toMatchObject({ code: 'access_denied' });
  });

  it('uses a fixed loopback redirect_uri as given, and refuses one it cannot listen on', async () => {
    const probe = await listen();
    const port = new URL(probe.redirectUri).port;
    await probe.close();
    open.length = 0;
    const fixed = `http://127.0.0.1:${port}/cb`;
    expect((await listen(fixed)).redirectUri).toBe(fixed);
    await expect(listenForCallback(fixed)).rejects.toMatchObject({ code: 'listen_failed' });
    await expect(listenForCallback('https://app.example/cb')).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(listenForCallback('http://192.0.2.1/cb')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
