// SDK mode in a real browser: the host page loads {oriel}/sdk/oriel.js with a
// script tag, on another loopback origin than Oriel, and mounts the
// connections widget; its fetchToken is the test's, which mints bound access
// tokens with the vendor's API key (POST /v1/auth/access-tokens) and is
// exposed to the page. The widget speaks the bridge of docs/protocol.md.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startOriel, setupVendor, startSite, launch } from './harness.mjs';

const artifacts = join(import.meta.dirname, 'artifacts');

const repo = resolve(import.meta.dirname, '..', '..');

let oriel, browser, vendor, hostSite, strangerSite, attackerSite, mailgun, globexConnection;
const hostPages = {};
const strangerPages = {};
const attackerPages = {};

before(async () => {
  oriel = await startOriel();
  hostSite = await startSite('vendor', hostPages);
  strangerSite = await startSite('stranger', strangerPages);
  attackerSite = await startSite('attacker', attackerPages);
  vendor = await setupVendor(oriel, [hostSite.origin]);
  await vendor.api('PUT', '/v1/integrations/mailgun', { provider: 'mailgun', display_name: 'Mailgun' });
  mailgun = await vendor.api('POST', `/v1/customers/${vendor.customer.id}/connections`, { integration: 'mailgun' });
  const globex = await vendor.api('POST', '/v1/customers', { external_id: 'globex', name: 'Globex' });
  globexConnection = await vendor.api('POST', `/v1/customers/${globex.id}/connections`, { integration: 'mailgun' });
  hostPages['/'] = hostPage;
  strangerPages['/'] = hostPage;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const site of [attackerSite, strangerSite, hostSite]) await site?.stop();
  await oriel?.stop();
});

/** Mints a token for the entity (the customer acme by default), as the vendor's backend would. */
const mint = (entity = { type: 'customer', id: 'Eacme' }) => vendor.mint(entity);

/** Revokes a token (RFC 7009: 200 with no body). */
async function revoke(token) {
  const res = await fetch(`${oriel.local}/v1/auth/access-tokens/revoke`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vendor.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  assert.equal(res.status, 200);
}

/**
 * The host page: the SDK from Oriel by script tag, one instance, and
 * helpers the test drives. It records the SDK's callbacks in window.events
 * and the type of every message from Oriel's origin in window.messages.
 */
function hostPage(req) {
  const nested = new URL(req.url, 'http://x').searchParams.get('nested');
  return `<!doctype html><meta charset="utf-8"><title>Host</title>
<div id="mount"></div>
${nested ? `<iframe id="nested" src="${nested}"></iframe>` : ''}
<script src="${oriel.origin}/sdk/oriel.js"></script>
<script>
  window.events = [];
  window.messages = [];
  window.addEventListener('message', (e) => {
    if (e.origin !== ${JSON.stringify(oriel.origin)}) return;
    try { window.messages.push(JSON.parse(e.data).type); } catch {}
  });
  window.oriel = Oriel.createOriel({
    baseUrl: ${JSON.stringify(oriel.origin)},
    fetchToken: () => window.fetchToken(),
    onError: (code, message) => events.push(['instance error', code, message]),
  });
  window.mountWidget = (options = {}) => new Promise((ready) => {
    const start = performance.now();
    window.widget = oriel.mount(document.getElementById('mount'), {
      widget: 'connections',
      autoResize: true,
      onReady: () => { events.push(['ready']); ready(performance.now() - start); },
      onTokenExpired: () => events.push(['tokenExpired']),
      onAuthError: (code, message) => events.push(['authError', code, message]),
      onError: (code, message) => events.push(['error', code, message]),
      onConnectionStatusChange: (status) => (window.statuses = window.statuses || []).push(status),
      ...options,
    });
  });
</script>`;
}

/**
 * Opens the host page at origin with tokens from next(), counting the
 * calls; options.clock installs Playwright's fake clock first.
 */
async function openHost(origin, next, { clock = false, query = '' } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (clock) await page.clock.install();
  const calls = { count: 0 };
  await page.exposeFunction('fetchToken', async () => {
    calls.count++;
    return next(calls.count);
  });
  await page.goto(`${origin}/${query}`);
  return { page, context, calls };
}

const widgetFrame = (page) => page.frameLocator('#mount iframe');
const events = (page) => page.evaluate(() => window.events);
/** The bridge messages of the token handshake, in order (sizes and statuses left out). */
const messages = (page) => page.evaluate(() => window.messages.filter((type) => type !== 'heightChange' && type !== 'connectionStatusChange'));

test('the SDK bundle is served to other origins', async () => {
  const res = await fetch(`${oriel.local}/sdk/oriel.js`, { headers: { origin: hostSite.origin } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('content-type'), /^text\/javascript/);
});

test('handshake: ready, token, tokenAck, onReady; then the customer\'s connections only', async () => {
  const tokens = [];
  const { page, context } = await openHost(hostSite.origin, async () => {
    tokens.push(await mint());
    return tokens.at(-1);
  });
  await page.evaluate(() => window.mountWidget());
  assert.deepEqual(await messages(page), ['ready', 'tokenAck']);
  const names = widgetFrame(page).locator('.conn-name');
  await names.first().waitFor();
  assert.deepEqual(await names.allTextContents(), ['Mailgun']);
  // Once loaded, the widget tells each connection's status as it stands (issue 13).
  await page.waitForFunction(() => window.statuses?.length === 1);
  assert.deepEqual(await page.evaluate(() => window.statuses), [{ id: mailgun.id, provider: 'mailgun', integration: 'mailgun', name: 'Mailgun', connected: false }]);
  const html = await widgetFrame(page).locator('html').innerHTML();
  assert.ok(html.includes(`connection-${mailgun.id}`) && !html.includes(globexConnection.id), 'only acme\'s connection is shown');
  assert.ok(!html.includes(tokens[0].token), 'the token is not in the DOM');
  await page.waitForFunction(() => document.querySelector('#mount iframe').style.height !== '');
  assert.deepEqual(await events(page), [['ready']]);
  await context.close();
});

test('a long list shows its first page, then the next on "Show more"', async () => {
  const big = await vendor.api('POST', '/v1/customers', { external_id: 'big', name: 'Big Corp' });
  const ids = [];
  for (let i = 0; i < 30; i++) {
    ids.push((await vendor.api('POST', `/v1/customers/${big.id}/connections`, { integration: 'mailgun' })).id);
  }
  const { page, context } = await openHost(hostSite.origin, () => mint({ type: 'customer', id: 'Ebig' }));
  await page.evaluate(() => window.mountWidget());
  const frame = widgetFrame(page);
  const cards = frame.locator('.conn:not(.conn-loading)');
  const more = frame.getByRole('button', { name: 'Show more connections' });
  await more.waitFor();
  // One page of 25 is loaded and told, not the whole list.
  assert.equal(await cards.count(), 25);
  await page.waitForFunction(() => window.statuses?.length === 25);
  mkdirSync(artifacts, { recursive: true });
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(300); // let the colours' transitions end before the picture
    await more.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, `connections-show-more-${colorScheme}.png`), animations: 'disabled' });
  }
  await more.click();
  await frame.locator(`#connection-${ids[29]}`).waitFor();
  assert.equal(await cards.count(), 30);
  assert.ok(await more.isHidden(), 'no more pages: the button is gone');
  await page.waitForFunction(() => window.statuses?.length === 30);
  assert.deepEqual((await page.evaluate(() => window.statuses.map((s) => s.id))).sort(), [...ids].sort());
  await context.close();
});

test('a refresh is pushed into the live iframe as tokenUpdate', async () => {
  const tokens = [];
  const { page, context, calls } = await openHost(
    hostSite.origin,
    async () => {
      tokens.push(await mint());
      return { token: tokens.at(-1).token, expiresIn: 150 }; // refresh due 30 s after arrival
    },
    { clock: true },
  );
  await page.evaluate(() => window.mountWidget());
  await widgetFrame(page).locator('.conn-name').first().waitFor();
  assert.equal(calls.count, 1);
  await page.clock.fastForward(31_000);
  await page.waitForFunction(() => window.messages.filter((t) => t === 'tokenAck').length === 2);
  assert.equal(calls.count, 2);
  assert.deepEqual(await messages(page), ['ready', 'tokenAck', 'tokenAck'], 'the same page took the update: no second ready');

  // The live page now holds the new token: with the old one revoked, its
  // requests still succeed.
  await revoke(tokens[0].token);
  const frame = page.frames().find((f) => f.url().startsWith(`${oriel.origin}/widgets/connections`));
  const status = await frame.evaluate(() => OrielWidget.request('/widget-api/connections').then((r) => r.status));
  assert.equal(status, 200);
  assert.deepEqual(await events(page), [['ready']]);
  await context.close();
});

test('a revoked token gives onAuthError and the widget shows no data', async () => {
  let current;
  const { page, context } = await openHost(hostSite.origin, async () => (current = await mint()));
  await page.evaluate(() => window.mountWidget());
  await widgetFrame(page).locator('.conn-name').first().waitFor();
  await revoke(current.token);
  // A new page of the widget, handed the same (now revoked) token.
  await page.evaluate((id) => window.widget.update({ widget: 'connection', connectionId: id }), mailgun.id);
  await page.waitForFunction(() => window.events.some((e) => e[0] === 'authError'));
  const authError = (await events(page)).find((e) => e[0] === 'authError');
  assert.equal(authError[1], 'token_revoked');
  await widgetFrame(page).getByText('This widget cannot be shown').waitFor();
  assert.equal(await widgetFrame(page).locator('.conn, .conn-name').count(), 0);
  await context.close();
});

test('an expired token gives onTokenExpired, then the widget recovers with a fresh one', async () => {
  const expired = execFileSync(
    'go',
    ['run', './test/browser/expiredtoken', '--data-dir', oriel.dataDir, '--vendor', vendor.vendorId, '--customer', vendor.customer.id],
    { cwd: repo, encoding: 'utf8' },
  ).trim();
  // The vendor's backend hands out a stale token first (as a cache might).
  const { page, context, calls } = await openHost(hostSite.origin, async (n) => (n === 1 ? { token: expired, expiresIn: 900 } : mint()));
  await page.evaluate(() => window.mountWidget());
  await widgetFrame(page).locator('.conn-name').first().waitFor();
  assert.deepEqual(await events(page), [['ready'], ['tokenExpired']]);
  assert.equal(calls.count, 2);
  assert.deepEqual(await messages(page), ['ready', 'tokenAck', 'tokenExpired', 'tokenAck']);
  await context.close();
});

test('messages forged from a third origin are ignored by the widget and the SDK', async () => {
  attackerPages['/forge'] = `<!doctype html><script>
    const forged = (type, payload) => JSON.stringify({ type, payload });
    window.forge = () => {
      for (let i = 0; i < parent.frames.length; i++) {
        try { parent.frames[i].postMessage(forged('token', { token: 'oat_forged', expiresIn: 900 }), '*'); } catch {}
        try { parent.frames[i].postMessage(forged('appearance', { colors: { primary: '#ff0000' } }), '*'); } catch {}
      }
      parent.postMessage(forged('authError', { code: 'token_revoked', message: 'forged' }), '*');
      parent.postMessage(forged('tokenExpired'), '*');
      parent.postMessage(forged('ready'), '*');
    };
  </script>`;
  const { page, context, calls } = await openHost(hostSite.origin, () => mint(), { query: `?nested=${encodeURIComponent(attackerSite.origin + '/forge')}` });
  await page.evaluate(() => window.mountWidget());
  await widgetFrame(page).locator('.conn-name').first().waitFor();
  const before = await messages(page);
  const attacker = page.frames().find((f) => f.url().startsWith(attackerSite.origin));
  await attacker.evaluate(() => window.forge());
  await page.waitForTimeout(500);
  assert.deepEqual(await messages(page), before, 'the widget acknowledged no forged token');
  assert.deepEqual(await events(page), [['ready']]);
  assert.equal(calls.count, 1);
  const primary = await widgetFrame(page).locator('html').evaluate((el) => el.style.getPropertyValue('--oriel-primary'));
  assert.equal(primary, '', 'no forged appearance was applied');
  await context.close();
});

test('an appearance from the host page applies, checked', async () => {
  const { page, context } = await openHost(hostSite.origin, () => mint());
  await page.evaluate(() => window.mountWidget({ appearance: { mode: 'dark', colors: { primary: '#0A7' }, border_radius: '4px' } }));
  const html = widgetFrame(page).locator('html');
  await widgetFrame(page).locator('.conn-name').first().waitFor();
  assert.equal(await html.evaluate((el) => el.style.getPropertyValue('--oriel-primary')), '#0a7');
  assert.equal(await html.getAttribute('data-theme'), 'dark');
  // One bad value and the whole appearance is ignored.
  await page.evaluate(() => window.widget.update({ appearance: { colors: { primary: 'red;background:url(x)' } } }));
  await page.waitForTimeout(200);
  assert.equal(await html.evaluate((el) => el.style.getPropertyValue('--oriel-primary')), '#0a7');
  await context.close();
});

test('a host page on an origin that is not allowed gets authError and no data', async () => {
  const { page, context } = await openHost(strangerSite.origin, () => mint());
  await page.evaluate(() => window.mountWidget());
  await page.waitForFunction(() => window.events.some((e) => e[0] === 'authError'));
  const authError = (await events(page)).find((e) => e[0] === 'authError');
  assert.equal(authError[1], 'origin_not_allowed');
  await widgetFrame(page).getByText('This widget cannot be shown').waitFor();
  const html = await widgetFrame(page).locator('html').innerHTML();
  assert.ok(!html.includes('Mailgun') && !html.includes(mailgun.id), 'no connection reached the page');
  await context.close();
});

// A measurement, not a budget: the timing is printed for comparison between
// runs, and the test fails only if a mount never becomes ready (a loaded
// machine makes any wall-clock threshold flaky).
test('mount to onReady: median of 25 mounts (benchmark)', async () => {
  const { page, context } = await openHost(hostSite.origin, () => mint());
  const times = [];
  for (let i = 0; i < 25; i++) {
    times.push(await page.evaluate(() => window.mountWidget()));
    await page.evaluate(() => window.widget.destroy());
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`benchmark: mount → onReady over ${times.length} mounts: median ${median.toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times.at(-1).toFixed(1)} ms`);
  assert.equal(times.length, 25);
  assert.ok(times.every((ms) => Number.isFinite(ms) && ms >= 0), 'every mount reached onReady');
  await context.close();
});
