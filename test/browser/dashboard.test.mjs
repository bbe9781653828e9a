// The employee dashboard in a real browser, SDK mode and direct link: the
// host page loads {oriel}/sdk/oriel.js on another loopback origin and mounts
// the employee-dashboard widget with tokens bound to an employee, minted by
// the test as the vendor's backend would. An employee adds a spouse,
// compares medical plans, elects one for employee + spouse, waives vision
// and sees the overview; the host page gets enrollmentSubmitted. Screenshots
// (light, dark, 360 px wide) go to test/browser/artifacts/.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startOriel, setupVendor, startSite, launch, framingPage, waitForMessage, shootFramed, dashboardHostPage } from './harness.mjs';
import { enrollAsEmployee } from './enroll.mjs';

const artifacts = join(import.meta.dirname, 'artifacts');

let oriel, browser, vendor, hostSite;
const hostPages = {};

/** An ISO date n days from today (UTC). */
const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** Publishes a plan with four tiers, the bigger ones dearer. */
async function plan(kind, name, monthly, extra = {}) {
  const tiers = ['employee', 'employee_spouse', 'employee_children', 'family'].map((tier, i) => ({
    tier,
    employee_monthly_cents: monthly * (i + 1),
    employer_monthly_cents: monthly * 3,
  }));
  const year = new Date().getUTCFullYear();
  return vendor.api('POST', `/v1/customers/${vendor.customer.id}/benefit-plans`, {
    kind, name, carrier: 'Acme Health', plan_year: { start: `${year}-01-01`, end: `${year}-12-31` },
    network_type: 'PPO', deductible_cents: 150000, out_of_pocket_max_cents: 500000,
    copays: { primary_care_cents: 2500, specialist_cents: 5000, urgent_care_cents: 7500, emergency_cents: 25000 },
    summary_url: 'https://docs.example/sbc.pdf', tiers, ...extra,
  });
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  oriel = await startOriel();
  hostSite = await startSite('vendor', hostPages);
  vendor = await setupVendor(oriel, [hostSite.origin]);
  await plan('medical', 'Gold PPO', 12000);
  await plan('medical', 'Silver HMO', 6000, { network_type: 'HMO', deductible_cents: 300000 });
  await plan('dental', 'Dental Plus', 1500);
  await plan('vision', 'Vision Basic', 500);
  const year = new Date().getUTCFullYear();
  await vendor.api('POST', `/v1/customers/${vendor.customer.id}/enrollment-windows`, {
    kind: 'open_enrollment', starts_on: day(-3), ends_on: day(20), plan_year: { start: `${year}-01-01`, end: `${year}-12-31` },
  });
  for (const [external, name] of [['emma', 'Emma Stone'], ['eli', 'Eli Park']]) {
    await vendor.api('POST', `/v1/customers/${vendor.customer.id}/users`, { external_id: external, name, email: `${external}@acme.test`, role: 'member', hire_date: '2024-03-01' });
  }
  hostPages['/'] = hostPage;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await hostSite?.stop();
  await oriel?.stop();
});

/** The host page: the SDK by script tag, the dashboard mounted as a vendor would. */
const hostPage = () => dashboardHostPage(oriel, ['onReady', 'onAuthError', 'onError', 'onEnrollmentSubmitted']);

/** Opens the host page in a new context with tokens for entity, and mounts the dashboard. */
async function openHost(entity, { viewport = { width: 1100, height: 900 }, colorScheme = 'light', mount = {} } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.errors = errors;
  await page.exposeFunction('fetchToken', () => vendor.mint(entity));
  await page.goto(hostSite.origin + '/');
  await page.evaluate((options) => window.mountDashboard(options), mount);
  return { page, context, frame: page.frameLocator('#mount iframe') };
}

/** Saves a screenshot of the host page as artifacts/name.png. */
const shoot = (page, name) => shootFramed(page, join(artifacts, `${name}.png`));

const employee = (external) => ({ type: 'employee', id: `E${external}` });
const events = (page) => page.evaluate(() => window.events);

test('an employee adds a spouse, elects medical for employee + spouse, waives vision; the host hears enrollmentSubmitted', async () => {
  const { page, context, frame } = await openHost(employee('emma'));
  await frame.getByRole('heading', { name: 'Your benefits' }).waitFor();
  assert.match(await frame.locator('.ed-window').innerText(), /Open enrollment is open until/);
  assert.equal(await frame.locator('.ed-row').count(), 3, 'one row per kind offered');

  await enrollAsEmployee(frame, { name: 'Emma Stone', spouse: ['Sam', 'Stone'], plan: 'Silver HMO', screenshot: () => shoot(page, 'dashboard-compare-light') });

  const submitted = (await events(page)).filter((e) => e[0] === 'enrollmentSubmitted').map((e) => e[1]);
  assert.equal(submitted.length, 2);
  assert.deepEqual(submitted.map((e) => [e.plan_kind, e.waived]), [['medical', false], ['vision', true]]);
  assert.ok(submitted.every((e) => typeof e.election_id === 'string' && e.election_id && Object.keys(e).length === 3));
  assert.deepEqual((await events(page)).filter((e) => e[0] === 'error' || e[0] === 'authError'), []);
  await shoot(page, 'dashboard-overview-light');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('dark and 360 px wide: the dashboard follows the appearance and fits', async () => {
  const dark = await openHost(employee('emma'), { colorScheme: 'light', mount: { appearance: { mode: 'dark' } } });
  await dark.frame.locator('.ed-row').first().waitFor();
  const bg = await dark.frame.locator('body').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(bg, 'rgb(246, 247, 249)', 'dark, not the light background');
  await shoot(dark.page, 'dashboard-overview-dark');
  await dark.frame.getByRole('tab', { name: 'Enroll' }).click();
  await dark.frame.locator('.ed-kind[data-kind=medical]').click();
  await dark.frame.locator('.ed-plan').nth(1).waitFor();
  await shoot(dark.page, 'dashboard-compare-dark');
  await dark.context.close();

  const narrow = await openHost(employee('emma'), { viewport: { width: 360, height: 780 } });
  await narrow.frame.locator('.ed-row').first().waitFor();
  const overflow = await narrow.frame.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth);
  assert.equal(overflow, 0, 'no horizontal scrolling at 360 px');
  await shoot(narrow.page, 'dashboard-overview-360');
  await narrow.frame.getByRole('tab', { name: 'Enroll' }).click();
  await narrow.frame.locator('.ed-kind[data-kind=medical]').click();
  await narrow.frame.locator('.ed-plan').nth(1).waitFor();
  assert.equal(await narrow.frame.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth), 0);
  await shoot(narrow.page, 'dashboard-compare-360');
  await narrow.context.close();
});

test('keyboard: the tabs move with the arrow keys and every control is reachable', async () => {
  const { page, context, frame } = await openHost(employee('eli'));
  await frame.getByRole('tab', { name: 'Overview' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await frame.getByRole('tab', { name: 'Enroll' }).getAttribute('aria-selected'), 'true');
  assert.equal(await frame.locator(':focus').getAttribute('id'), 'ed-tab-enroll');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await frame.locator('.ed-plan').first().waitFor();
  await context.close();
});

test('a token bound to the employer gets authError user_binding_required and no data', async () => {
  const { page, context, frame } = await openHost({ type: 'customer', id: 'Eacme' });
  await page.waitForFunction(() => window.events.some((e) => e[0] === 'authError'));
  const authErrors = (await events(page)).filter((e) => e[0] === 'authError');
  assert.deepEqual(authErrors.map((e) => e.slice(0, 2)), [['authError', 'user_binding_required']]);
  assert.match(authErrors[0][2], /bound to the user/, 'the message says how to fix it');
  await frame.getByText('Your benefits cannot be shown').waitFor();
  assert.equal(await frame.locator('.ed-row').count(), 0);
  await context.close();
});

test('by direct link: the employee in sub sees the dashboard; a link without a user gets user_binding_required', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const link = (sub) => `${oriel.origin}/direct_link/embedded/employee-dashboard?dl_token=${vendor.sign(sub)}`;
  hostPages['/framed'] = () => framingPage(link(`${vendor.customer.id}:Eemma`));
  await page.goto(hostSite.origin + '/framed');
  const frame = page.frameLocator('#widget');
  await frame.getByRole('heading', { name: 'Your benefits' }).waitFor();
  assert.match(await frame.locator('.ed-coverage').innerText(), /Medical[\s\S]*Dental[\s\S]*Vision/);

  hostPages['/framed'] = () => framingPage(link(vendor.customer.id));
  await page.goto(hostSite.origin + '/framed');
  const error = await waitForMessage(page, 'error');
  assert.equal(error.msg.payload.code, 'user_binding_required');
  assert.equal(error.origin, oriel.origin);
  await context.close();
});

test('benchmark: first render after tokenAck, median of 25 mounts', async () => {
  const context = await browser.newContext();
  // In the widget's frame: from the token's arrival (the widget answers
  // tokenAck at once) to the first rendered screen.
  await context.addInitScript(() => {
    if (!location.pathname.startsWith('/widgets/employee-dashboard')) return;
    window.addEventListener('message', () => { window.tokenAt ??= performance.now(); }, true);
    new MutationObserver((_, observer) => {
      if (document.querySelector('.ed-header')) {
        window.renderedAfter = performance.now() - window.tokenAt;
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await context.newPage();
  await page.exposeFunction('fetchToken', () => vendor.mint(employee('eli')));
  await page.goto(hostSite.origin + '/');
  const times = [];
  for (let i = 0; i < 25; i++) {
    await page.evaluate(() => window.widget?.destroy());
    await page.evaluate(() => window.mountDashboard());
    const frame = await (await page.waitForSelector('#mount iframe')).contentFrame();
    await frame.waitForURL(/\/widgets\/employee-dashboard/);
    await frame.waitForFunction(() => typeof window.renderedAfter === 'number');
    times.push(await frame.evaluate(() => window.renderedAfter));
  }
  times.sort((a, b) => a - b);
  console.log(`benchmark: employee dashboard first render after tokenAck, ${times.length} mounts: median ${times[12].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times.at(-1).toFixed(1)} ms`);
  assert.equal(times.length, 25);
  await context.close();
});
