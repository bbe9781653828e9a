// Direct links in a real browser (catalogue G02–G04, G12, G13, C18 and the
// SSO flow): Oriel, the vendor's page and an attacker's page each on their
// own loopback origin; tokens made with jsonwebtoken as the reference docs do.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startOriel, setupVendor, startSite, launch, framingPage, waitForMessage } from './harness.mjs';

const artifacts = join(import.meta.dirname, 'artifacts');

let oriel, browser, vendorSite, evilSite, vendor, pages;
// A page per test, each served by the vendor or attacker site under its own path.
const vendorPages = {};
const evilPages = {};

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  oriel = await startOriel();
  vendorSite = await startSite('vendor', vendorPages);
  evilSite = await startSite('evil', evilPages);
  vendor = await setupVendor(oriel, [vendorSite.origin]);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await vendorSite?.stop();
  await evilSite?.stop();
  await oriel?.stop();
});

const appLink = (token) => `${oriel.origin}/direct_link/embedded/app?dl_path=/connections&dl_token=${token}`;

/** Opens html at path on site, returning the page. */
async function open(site, table, path, html) {
  table[path] = html;
  const page = await browser.newPage();
  await page.goto(site.origin + path);
  return page;
}

const widgetFrame = (page) => page.frames().find((f) => f.url().startsWith(oriel.origin));

test('the vendor page frames a direct link: signed in, token stripped, heightChange from the exact origin', async () => {
  const token = vendor.sign(`${vendor.customer.id}:Eann`);
  const page = await open(vendorSite, vendorPages, '/embed', framingPage(appLink(token)));
  const msg = await waitForMessage(page, 'heightChange');
  assert.equal(msg.origin, oriel.origin);
  assert.ok(msg.msg.payload.height > 0);
  const frame = widgetFrame(page);
  assert.ok(frame, 'the widget frame loaded');
  assert.ok(!frame.url().includes('dl_token'), `token left in the address bar: ${frame.url()}`);
  const text = await frame.locator('body').innerText();
  assert.match(text, /Acme Corp/);
  assert.match(text, /Ann Admin/);
  assert.equal(await frame.evaluate(() => document.body.dataset.session), undefined, 'session left in the DOM');
  // Catalogue G15: the widget needs no cookie. Its API calls carry the
  // in-memory session, so it works where third-party cookies are blocked.
  await frame.getByText('No connections yet').waitFor();
  assert.equal(await frame.evaluate(() => document.cookie), '');
  assert.deepEqual(await page.context().cookies(oriel.origin), []);
  await page.close();
});

test('reloading the iframe replays the token: the widget says so and posts error jti_replayed to the parent', async () => {
  const token = vendor.sign(`${vendor.customer.id}`);
  const page = await open(vendorSite, vendorPages, '/reload', framingPage(appLink(token)));
  await waitForMessage(page, 'heightChange');
  await page.evaluate(() => {
    window.received.length = 0;
    const f = document.getElementById('widget');
    f.src = f.src; // the same URL, with the same single-use token
  });
  const msg = await waitForMessage(page, 'error');
  assert.equal(msg.origin, oriel.origin);
  assert.equal(msg.msg.payload.code, 'jti_replayed');
  assert.match(await widgetFrame(page).locator('body').innerText(), /already used|used/i);
  await page.close();
});

for (const referrerPolicy of ['', 'no-referrer']) {
  test(`an attacker page cannot frame a link meant for the vendor, and gets no message (referrerpolicy "${referrerPolicy}")`, async () => {
    const token = vendor.sign(`${vendor.customer.id}:Eann`);
    const page = await open(evilSite, evilPages, `/steal-${referrerPolicy}`, framingPage(appLink(token), { referrerPolicy }));
    await page.waitForTimeout(1000);
    const frame = widgetFrame(page);
    const text = frame ? await frame.locator('body').innerText().catch(() => '') : '';
    assert.doesNotMatch(text, /Ann Admin|Acme Corp/, 'the widget rendered inside the attacker page');
    assert.deepEqual(await page.evaluate(() => window.received), []);
    await page.close();
    if (referrerPolicy === '') {
      // The server saw the attacker's Referer and refused before using the token up.
      const ok = await open(vendorSite, vendorPages, '/after-steal', framingPage(appLink(token)));
      await waitForMessage(ok, 'heightChange');
      await ok.close();
    }
  });
}

test('nested framing: attacker → vendor page → widget is blocked (frame-ancestors checks every ancestor)', async () => {
  const token = vendor.sign(`${vendor.customer.id}:Eann`);
  vendorPages['/inner'] = framingPage(appLink(token));
  const page = await open(evilSite, evilPages, '/nest', framingPage(`${vendorSite.origin}/inner`, { id: 'vendor' }));
  await page.waitForTimeout(1000);
  const frame = widgetFrame(page);
  const text = frame ? await frame.locator('body').innerText().catch(() => '') : '';
  assert.doesNotMatch(text, /Ann Admin|Acme Corp/);
  const inner = page.frames().find((f) => f.url().startsWith(vendorSite.origin));
  assert.deepEqual(await inner.evaluate(() => window.received), [], 'the widget posted into a page nested in the attacker');
  await page.close();
});

test('SSO: a top-level link signs in with a first-party cookie and lands in the workspace', async () => {
  const token = vendor.sign(`${vendor.customer.id}:Evic`);
  const context = await browser.newContext();
  const page = await context.newPage();
  const res = await page.goto(`${oriel.origin}/direct_link/sso?dl_path=/connections&dl_token=${token}`);
  assert.equal(res.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/connections');
  assert.match(await page.locator('body').innerText(), /Vic Viewer/);
  const cookies = await context.cookies(oriel.origin);
  const session = cookies.find((c) => /oriel_session/.test(c.name));
  assert.ok(session, 'no session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  await context.close();
});

test('a refused link opened in a tab shows its real code and fix, and a good one stays unspent (issue 13)', async () => {
  // The customer has allowed origins of its own, none of them the claim's: refused before the parent origin is known.
  const bare = await vendor.api('POST', '/v1/customers', { external_id: 'tabbed', name: 'Tabbed', allowed_origins: ['https://elsewhere.example'] });
  const refused = vendor.sign(`${bare.id}`, { origin: vendorSite.origin });
  // Chromium sends Sec-Fetch-Dest only to secure origins: treat Oriel's http://oriel.test as one, as https is.
  const tabs = await launch([`--unsafely-treat-insecure-origin-as-secure=${oriel.origin}`]);
  const page = await tabs.newPage();
  const res = await page.goto(appLink(refused));
  assert.equal(res.status(), 403);
  await page.getByText('Details for developers').click();
  const text = await page.locator('body').innerText();
  assert.match(text, /origin_not_allowed/);
  assert.match(text, /allowed_origins/); // the fix
  assert.doesNotMatch(text, /frame_required/);
  await page.screenshot({ path: join(artifacts, 'directlink-refused-in-tab.png') });

  // In its iframe the refused link shows nothing (frame-ancestors 'none') and posts nothing...
  const framed = await open(vendorSite, vendorPages, '/refused', framingPage(appLink(refused)));
  await framed.waitForTimeout(500);
  assert.deepEqual(await framed.evaluate(() => window.received), []);
  await framed.close();

  // ...while a link that would open answers frame_required in a tab, and still opens framed.
  const good = vendor.sign(`${vendor.customer.id}:Eann`);
  const tab = await page.goto(appLink(good));
  assert.equal(tab.status(), 403);
  assert.match(await page.locator('body').innerText(), /frame_required/);
  const embed = await open(vendorSite, vendorPages, '/after-tab', framingPage(appLink(good)));
  await waitForMessage(embed, 'heightChange');
  assert.match(await widgetFrame(embed).locator('body').innerText(), /Ann Admin/);
  await embed.close();
  await tabs.close();
});

test('no token or secret reaches the server log', () => {
  const log = oriel.logs.join('');
  assert.doesNotMatch(log, /eyJ/);
  assert.doesNotMatch(log, /sk_[a-z0-9]{20}/);
  assert.doesNotMatch(log, /ors_/);
});
