// Life events in the employee dashboard, in a real browser (SDK mode): an
// employee reports a birth with a PDF and sees it pending; the vendor
// approves it through the API; the widget shows the special window with its
// deadline; the employee adds the child and elects medical for employee +
// children in that window; the host page heard lifeEventSubmitted and
// enrollmentSubmitted. Screenshots (light, dark, 360 px wide) go to
// test/browser/artifacts/.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startOriel, setupVendor, startSite, launch, shootFramed, dashboardHostPage } from './harness.mjs';

const artifacts = join(import.meta.dirname, 'artifacts');
let oriel, browser, vendor, hostSite;
const hostPages = {};
const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  oriel = await startOriel();
  hostSite = await startSite('vendor', hostPages);
  vendor = await setupVendor(oriel, [hostSite.origin]);
  const year = new Date().getUTCFullYear();
  for (const [kind, name, monthly] of [['medical', 'Gold PPO', 12000], ['medical', 'Silver HMO', 6000], ['dental', 'Dental Plus', 1500]]) {
    const tiers = ['employee', 'employee_spouse', 'employee_children', 'family'].map((tier, i) => ({
      tier, employee_monthly_cents: monthly * (i + 1), employer_monthly_cents: monthly * 3,
    }));
    await vendor.api('POST', `/v1/customers/${vendor.customer.id}/benefit-plans`, {
      kind, name, carrier: 'Acme Health', plan_year: { start: `${year}-01-01`, end: `${year}-12-31` }, tiers,
    });
  }
  // No open enrollment: only an approved life event opens a window.
  await vendor.api('POST', `/v1/customers/${vendor.customer.id}/users`, { external_id: 'nia', name: 'Nia Cole', email: 'nia@acme.test', role: 'member', hire_date: '2023-02-01' });
  hostPages['/'] = () => dashboardHostPage(oriel, ['onError', 'onEnrollmentSubmitted', 'onLifeEventSubmitted']);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await hostSite?.stop();
  await oriel?.stop();
});

/** Mints a token bound to the employee Nia, as the vendor's backend would. */
const mint = () => vendor.mint({ type: 'employee', id: 'Enia' });

async function openHost({ viewport = { width: 1100, height: 900 }, mount = {} } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.errors = errors;
  await page.exposeFunction('fetchToken', mint);
  await page.goto(hostSite.origin + '/');
  await page.evaluate((options) => window.mountDashboard(options), mount);
  const frame = page.frameLocator('#mount iframe');
  await frame.getByRole('tab', { name: 'Life events' }).click();
  return { page, context, frame };
}

/** Saves a screenshot of the host page as artifacts/name.png. */
const shoot = (page, name) => shootFramed(page, join(artifacts, `${name}.png`));

test('report a birth with a PDF, approval opens the window, add the child and elect employee + children', async () => {
  let { page, context, frame } = await openHost();
  await frame.getByText('No life events reported').waitFor();
  await frame.getByRole('button', { name: 'Report a life event' }).click();
  await frame.getByLabel('What happened').selectOption('birth');
  assert.match(await frame.locator('#ed-life-rule').innerText(), /within 60 days[\s\S]*60 days/);
  await frame.getByLabel('Date of the event').fill(day(-5));
  await frame.getByLabel('Note (optional)').fill('Our daughter Ada');
  await frame.getByLabel('Supporting documents').setInputFiles({ name: 'birth-certificate.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n% a birth certificate\n') });
  await frame.getByRole('button', { name: 'Submit for review' }).click();
  await frame.locator('.ed-notice', { hasText: 'Birth of a child was submitted for review.' }).waitFor();
  assert.match(await frame.locator('.ed-life').first().innerText(), /Birth of a child[\s\S]*Pending review[\s\S]*birth-certificate\.pdf/);
  const reported = (await page.evaluate(() => window.events)).filter((e) => e[0] === 'lifeEventSubmitted').map((e) => e[1]);
  assert.equal(reported.length, 1);
  assert.equal(reported[0].type, 'birth');
  assert.deepEqual(Object.keys(reported[0]).sort(), ['event_id', 'type']);
  await shoot(page, 'life-events-pending-light');

  // The vendor approves it through the API.
  const pending = await vendor.api('GET', '/v1/life-events?status=submitted');
  assert.equal(pending.data.length, 1);
  assert.equal(pending.data[0].id, reported[0].event_id);
  assert.equal(pending.data[0].documents[0].content_type, 'application/pdf');
  const approved = await vendor.api('POST', `/v1/life-events/${reported[0].event_id}/approve`, {});
  assert.equal(approved.status, 'approved');
  const events = await page.evaluate(() => window.events);
  await context.close();

  ({ page, context, frame } = await openHost());
  await frame.locator('.ed-life-window.is-open').waitFor();
  assert.match(await frame.locator('.ed-life-window').innerText(), /Special enrollment is open[\s\S]*60 days left/);
  await shoot(page, 'life-events-approved-light');

  // Add the child, then elect medical for employee + children in the window.
  await frame.getByRole('tab', { name: 'Dependents' }).click();
  await frame.getByRole('button', { name: 'Add dependent' }).click();
  await frame.getByLabel('First name').fill('Ada');
  await frame.getByLabel('Last name').fill('Cole');
  await frame.getByLabel('Relationship').selectOption('child');
  await frame.getByLabel('Date of birth').fill(day(-5));
  await frame.locator('form').getByRole('button', { name: 'Add dependent' }).click();
  await frame.locator('.ed-notice', { hasText: 'Ada Cole was added.' }).waitFor();
  await frame.getByRole('tab', { name: 'Enroll' }).click();
  await frame.locator('.ed-kind[data-kind=medical]').click();
  // By keyboard, as the iframe may still be growing (heightChange) when a
  // mouse click would land: a click can then miss the radio under load.
  const gold = frame.getByLabel('Choose Gold PPO');
  await gold.press('Space');
  assert.equal(await gold.isChecked(), true);
  await frame.getByRole('button', { name: 'Continue' }).click();
  await frame.getByRole('checkbox', { name: /Ada Cole/ }).check();
  assert.equal(await frame.getByRole('radio', { name: /Employee \+ children/ }).isChecked(), true);
  await frame.getByRole('button', { name: 'Review' }).click();
  await frame.getByLabel('Your full name').fill('Nia Cole');
  await frame.getByRole('button', { name: 'Submit election' }).click();
  await frame.locator('.ed-notice', { hasText: 'Your medical election was submitted.' }).waitFor();
  const submitted = (await page.evaluate(() => window.events)).filter((e) => e[0] === 'enrollmentSubmitted').map((e) => e[1]);
  assert.deepEqual(submitted.map((e) => [e.plan_kind, e.waived]), [['medical', false]]);
  const elections = await vendor.api('GET', `/v1/benefit-elections?customer=${vendor.customer.id}`);
  assert.equal(elections.data[0].tier, 'employee_children');
  assert.equal(elections.data[0].window_kind, 'special');
  assert.deepEqual([...events, ...(await page.evaluate(() => window.events))].filter((e) => e[0] === 'error'), []);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('dark and 360 px wide: the life events screen follows the appearance and fits', async () => {
  const dark = await openHost({ mount: { appearance: { mode: 'dark' } } });
  await dark.frame.locator('.ed-life').first().waitFor();
  await shoot(dark.page, 'life-events-dark');
  await dark.context.close();
  const narrow = await openHost({ viewport: { width: 360, height: 780 } });
  await narrow.frame.locator('.ed-life').first().waitFor();
  await narrow.frame.getByRole('button', { name: 'Report a life event' }).click();
  assert.equal(await narrow.frame.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth), 0, 'no horizontal scrolling at 360 px');
  await shoot(narrow.page, 'life-events-360');
  await narrow.context.close();
});
