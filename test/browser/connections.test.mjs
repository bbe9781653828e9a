// The Embedded Connection Widget in a real browser: Oriel, the vendor's page
// and a local OAuth 2.0 provider (package oauthdev) each on their own
// loopback origin. The vendor's page is the reference's example HTML, with
// only its iframe URL changed; the whole OAuth flow runs through the popup
// and its consent page. Screenshots of the widget, light and dark, go to
// test/browser/artifacts/.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startOriel, setupVendor, startSite, startOAuthServer, launch } from './harness.mjs';

const artifacts = join(import.meta.dirname, 'artifacts');

let oriel, browser, vendorSite, vendor, idp;
const vendorPages = {};

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  oriel = await startOriel();
  vendorSite = await startSite('vendor', vendorPages);
  vendor = await setupVendor(oriel, [vendorSite.origin]);
  idp = await startOAuthServer(`${oriel.origin}/oauth/callback`);
  await vendor.api('PUT', '/v1/integrations/crm', {
    provider: 'oauth2',
    display_name: 'Demo CRM',
    client_id: idp.clientId,
    client_secret: idp.clientSecret,
    scopes: ['contacts.read', 'offline_access'],
    config: {
      authorization_url: `${idp.url}/authorize`,
      token_url: `${idp.url}/token`,
      revocation_url: `${idp.url}/revoke`,
      issuer: idp.issuer,
    },
  });
  await vendor.api('PUT', '/v1/integrations/mailgun', { provider: 'mailgun', display_name: 'Mailgun' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await idp?.stop();
  await vendorSite?.stop();
  await oriel?.stop();
});

/** The reference's example page, verbatim but for the iframe URL. */
function referencePage(iframeURL) {
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="UTF-8" />
    <script>
      window.addEventListener('message', receiveMessage);
      function receiveMessage(event) {
        var data = JSON.parse(event.data);

        switch (data.type) {
          case 'heightChange':
            document.getElementById('workatoId').style.height = data.payload.height + 'px';
            break;
          case 'connectionStatusChange':
            var message = data.error || (data.payload.connected ? 'Connected' : 'Disconnected');
            document.getElementById('statusId').innerText = message;
            break;
          case 'error':
            console.log(data.payload.message);
        }
      }
    </script>
  </head>
  <body>
    <h4>Status: <span id="statusId"></span></h4>
    <iframe id="workatoId" src="${iframeURL}" style="width: 500px; height: 150px; border: 0"></iframe>
  </body>
</html>`;
}

const widgetURL = (connectionId, token) => `${oriel.origin}/direct_link/embedded/connections/${connectionId}?dl_token=${token}`;

/** A new connection of integration for the customer acme. */
const newConnection = (integration) => vendor.api('POST', `/v1/customers/${vendor.customer.id}/connections`, { integration });

/**
 * Opens the reference page framing the widget of connectionId for subject,
 * in colorScheme. Every message the page receives is recorded in
 * window.received by an init script (the page itself is unchanged).
 */
async function openWidget(path, connectionId, subject, colorScheme = 'light') {
  vendorPages[path] = () => referencePage(widgetURL(connectionId, vendor.sign(subject)));
  const context = await browser.newContext({ colorScheme, viewport: { width: 640, height: 520 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.received = [];
    window.addEventListener('message', (e) => window.received.push({ origin: e.origin, data: e.data }));
  });
  await page.goto(vendorSite.origin + path);
  const frame = page.frameLocator('#workatoId');
  return { context, page, frame };
}

/**
 * Waits for the nth (from 0) received message of this type whose payload
 * has the given fields, and returns it, parsed, with its origin.
 */
async function received(page, type, fields = {}, nth = 0) {
  const handle = await page.waitForFunction(
    ([t, want, n]) =>
      window.received
        .map((m) => ({ origin: m.origin, msg: JSON.parse(m.data) }))
        .filter((m) => m.msg.type === t && Object.entries(want).every(([k, v]) => m.msg.payload[k] === v))[n],
    [type, fields, nth],
    { timeout: 10000 },
  );
  return handle.jsonValue();
}

async function shot(page, name) {
  await page.locator('#workatoId').screenshot({ path: join(artifacts, `${name}.png`), animations: 'disabled' });
}

test('partner page → widget → popup → consent → Connected, and the page hears connectionStatusChange', async () => {
  const conn = await newConnection('crm');
  const { context, page, frame } = await openWidget('/reference', conn.id, `${vendor.customer.id}:Eann`);

  const height = await received(page, 'heightChange');
  assert.equal(height.origin, oriel.origin);
  await assertResized(page);
  await frame.getByRole('heading', { name: 'Demo CRM' }).waitFor();
  assert.equal(await frame.locator('.status-label').innerText(), 'Not connected');
  // The status as it stands is sent once, when the widget has loaded (issue 13).
  const initial = await received(page, 'connectionStatusChange');
  assert.deepEqual(initial.msg.payload, { id: conn.id, provider: 'oauth2', integration: 'crm', name: 'Demo CRM', connected: false });
  assert.equal(await page.locator('#statusId').innerText(), 'Disconnected');
  await shot(page, 'widget-disconnected-light');

  const [popup] = await Promise.all([context.waitForEvent('page'), frame.getByRole('button', { name: 'Connect' }).click()]);
  const closed = popup.waitForEvent('close', { timeout: 10000 }); // before the click that may close it
  await popup.getByRole('button', { name: 'Approve' }).click();
  await closed;

  const change = await received(page, 'connectionStatusChange', { connected: true });
  assert.equal(change.origin, oriel.origin);
  assert.deepEqual(change.msg.payload, { id: conn.id, provider: 'oauth2', integration: 'crm', name: 'Demo CRM', connected: true });
  await frame.locator('.status-connected').waitFor();
  assert.equal(await page.locator('#statusId').innerText(), 'Connected');
  // Screen readers hear the new status too (issue 13: it stayed "Not connected").
  await frame.locator('#announcer', { hasText: 'Demo CRM: Connected' }).waitFor({ state: 'attached' });
  assert.match(await frame.locator('.conn-since').innerText(), /^Connected on /);
  await frame.getByRole('button', { name: 'Reconnect' }).waitFor();
  await shot(page, 'widget-connected-light');

  const cred = await vendor.api('GET', `/v1/connections/${conn.id}/credentials`);
  assert.ok(cred.access_token, 'the vendor gets an access token');
  assert.equal(cred.refresh_token, undefined);

  // Disconnect, with its confirmation step: the page hears it too.
  await frame.getByRole('button', { name: 'Disconnect' }).click();
  await shot(page, 'widget-confirm-light');
  await frame.locator('.conn-confirm').getByRole('button', { name: 'Disconnect' }).click();
  await received(page, 'connectionStatusChange', { connected: false }, 1); // the first was the initial status
  assert.equal(await page.locator('#statusId').innerText(), 'Disconnected');
  await frame.getByRole('button', { name: 'Connect' }).waitFor();
  await context.close();
});

test('a denied consent leaves the connection as it was and the page shows the error', async () => {
  const conn = await newConnection('crm');
  const { context, page, frame } = await openWidget('/denied', conn.id, `${vendor.customer.id}:Eann`, 'dark');
  await frame.getByRole('button', { name: 'Connect' }).waitFor();
  const [popup] = await Promise.all([context.waitForEvent('page'), frame.getByRole('button', { name: 'Connect' }).click()]);
  const closed = popup.waitForEvent('close', { timeout: 10000 }); // before the click that may close it
  await popup.getByRole('button', { name: 'Deny' }).click();
  await closed;
  const change = await received(page, 'connectionStatusChange', {}, 1);
  assert.equal(change.msg.payload.connected, false);
  assert.match(change.msg.error, /not granted/);
  assert.match(await page.locator('#statusId').innerText(), /not granted/);
  await frame.locator('.conn-alert').waitFor();
  assert.match(await frame.locator('.alert-text').innerText(), /not granted/);
  await shot(page, 'widget-denied-dark');
  await context.close();
});

test('dark mode and the vendor appearance', async () => {
  const conn = await newConnection('crm');
  // Connect it without a browser first: open a light widget, run the popup.
  const { context: c1, page: p1, frame: f1 } = await openWidget('/dark-setup', conn.id, `${vendor.customer.id}:Eann`);
  const [popup] = await Promise.all([c1.waitForEvent('page'), f1.getByRole('button', { name: 'Connect' }).click()]);
  await popup.getByRole('button', { name: 'Approve' }).click();
  await received(p1, 'connectionStatusChange', { connected: true });
  await c1.close();

  const { context, page, frame } = await openWidget('/dark', conn.id, `${vendor.customer.id}:Eann`, 'dark');
  await frame.locator('.status-connected').waitFor();
  await assertResized(page);
  await shot(page, 'widget-connected-dark');
  await context.close();

  await vendor.api('PUT', '/v1/appearance', { mode: 'light', colors: { primary: '#0e7490' }, border_radius: '6px' });
  try {
    const themed = await openWidget('/themed', conn.id, `${vendor.customer.id}:Eann`, 'dark');
    await themed.frame.locator('.status-connected').waitFor();
    const primary = await themed.frame.locator('.btn-secondary').first().evaluate((el) => getComputedStyle(el).borderRadius);
    assert.equal(primary, '4.02px'); // 6px × 0.67: the vendor's radius
    const bg = await themed.frame.locator('body').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, 'rgb(246, 247, 249)', 'mode light wins over the system dark preference');
    await shot(themed.page, 'widget-themed-light');
    await themed.context.close();
  } finally {
    await vendor.api('PUT', '/v1/appearance', { mode: 'auto', colors: {} });
  }
});

test('an API-key connection: per-field errors inline, typed values kept', async () => {
  const conn = await newConnection('mailgun');
  for (const scheme of ['light', 'dark']) {
    const { context, page, frame } = await openWidget(`/apikey-${scheme}`, conn.id, `${vendor.customer.id}:Eann`, scheme);
    // By keyboard: Enter on Connect opens the form with focus in its first field.
    await frame.getByRole('button', { name: 'Connect' }).focus();
    await page.keyboard.press('Enter');
    const key = frame.getByLabel('Private API key');
    await key.waitFor();
    assert.ok(await frame.getByLabel('Region').evaluate((el) => el === document.activeElement), 'focus moves into the form');
    assert.equal(await key.getAttribute('type'), 'password');
    assert.equal(await frame.getByLabel('Region').inputValue(), 'api', 'the default is selected');

    // Empty: the form says so before sending anything.
    await frame.getByRole('button', { name: 'Save and connect' }).click();
    await frame.locator('.field-error', { hasText: 'is required' }).waitFor();
    assert.ok(await key.evaluate((el) => el === document.activeElement), 'focus moves to the invalid field');

    // Malformed: the server's message for the field (422 fields_invalid), the value kept.
    await key.fill('not a key!');
    await frame.getByRole('button', { name: 'Save and connect' }).click();
    await frame.locator('.field-error', { hasText: 'expected format' }).waitFor();
    assert.equal(await key.inputValue(), 'not a key!');
    assert.equal(await key.getAttribute('aria-invalid'), 'true');
    await shot(page, `widget-form-errors-${scheme}`);

    await key.press('Escape');
    await frame.getByRole('button', { name: 'Connect' }).waitFor();
    await context.close();
  }
});

test('a viewer sees the status only', async () => {
  const conn = await newConnection('crm');
  const { context, page, frame } = await openWidget('/viewer', conn.id, `${vendor.customer.id}:Evic`);
  await frame.getByRole('heading', { name: 'Demo CRM' }).waitFor();
  assert.equal(await frame.getByRole('button').count(), 0, 'a viewer gets no buttons');
  assert.match(await frame.locator('.conn-note').innerText(), /View only/);
  await shot(page, 'widget-viewer-light');
  await context.close();
});

test('the SSO workspace lists the connections, with the cookie session', async () => {
  await newConnection('crm');
  await newConnection('mailgun');
  const { data } = await vendor.api('GET', `/v1/customers/${vendor.customer.id}/connections?limit=100`);
  for (const colorScheme of ['light', 'dark']) {
    const context = await browser.newContext({ colorScheme, viewport: { width: 960, height: 760 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(`${oriel.origin}/direct_link/sso?dl_path=/connections&dl_token=${vendor.sign(`${vendor.customer.id}:Eann`)}`);
    await page.locator('article.conn').first().waitFor();
    await page.screenshot({ path: join(artifacts, `workspace-${colorScheme}.png`), fullPage: true, animations: 'disabled' });
    assert.equal(await page.locator('article.conn').count(), data.length);
    await context.close();
  }
});

/** The reference page sized its iframe by heightChange. */
async function assertResized(page) {
  await page.waitForFunction(() => document.getElementById('workatoId').style.height !== '150px');
}

test('logos: served by Oriel, a vendor logo replaces the monogram, and the empty state lists the apps', async () => {
  const context = await browser.newContext({ viewport: { width: 960, height: 760 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  // A PNG the browser draws: a 64 × 64 CSS-pixel square.
  await page.setContent('<div style="width:64px;height:64px;background:#0e7490"></div>');
  const png = await page.locator('div').screenshot();
  const res = await fetch(`${oriel.local}/v1/integrations/mailgun/logo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${vendor.apiKey}`, 'content-type': 'image/png' },
    body: png,
  });
  assert.equal(res.status, 200);
  const { logo } = await res.json();
  assert.match(logo, /^\/logos\/[0-9a-f]{64}\.png$/);

  const empty = await vendor.api('POST', '/v1/customers', { external_id: 'empty-co', name: 'Empty Co' });
  await page.goto(`${oriel.origin}/direct_link/sso?dl_path=/connections&dl_token=${vendor.sign(empty.id)}`);
  await page.locator('.state-app').first().waitFor();
  assert.deepEqual((await page.locator('.state-app-name').allInnerTexts()).sort(), ['Demo CRM', 'Mailgun']);
  await page.waitForFunction(() => [...document.querySelectorAll('.state-app-logo')].every((i) => i.complete && i.naturalWidth > 0));
  const srcs = await page.locator('.state-app-logo').evaluateAll((els) => els.map((e) => e.getAttribute('src')));
  assert.ok(srcs.includes(logo), `the vendor's logo is shown: ${srcs}`);
  assert.ok(srcs.some((s) => /^\/logos\/m1-DC-[0-9A-F]{6}\.svg$/.test(s)), `the generic OAuth tile draws "Demo CRM", not "OA": ${srcs}`);
  await page.screenshot({ path: join(artifacts, 'workspace-empty.png'), fullPage: true, animations: 'disabled' });

  // A connection's tile references its logo by URL, loaded from Oriel.
  await newConnection('mailgun');
  await page.goto(`${oriel.origin}/direct_link/sso?dl_path=/connections&dl_token=${vendor.sign(`${vendor.customer.id}:Eann`)}`);
  await page.locator('article.conn').first().waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.conn-logo')].every((i) => i.hidden || (i.complete && i.naturalWidth > 0)));
  const tiles = await page.locator('.conn-logo').evaluateAll((els) => els.map((e) => e.getAttribute('src')));
  assert.ok(tiles.includes(logo) && tiles.every((s) => s.startsWith('/logos/')), `tiles: ${tiles}`);
  await context.close();
});
