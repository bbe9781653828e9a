// `oriel demo` in a real browser, as someone trying Oriel runs it: the built
// binary on free ports, Northwind's pages in Chromium, a real OAuth consent
// in the Demo CRM's popup, and the events the widgets post to the page.
// Screenshots of every page, light and dark, go to test/browser/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, orielBinary } from './harness.mjs';
import { enrollAsEmployee } from './enroll.mjs';

const artifacts = join(import.meta.dirname, 'artifacts');
const timeout = 60_000;

/**
 * Runs `oriel demo` on free ports in a fresh data directory and resolves,
 * once it says it is running, to the URLs its welcome message prints.
 */
async function startDemo() {
  const dataDir = mkdtempSync(join(tmpdir(), 'oriel-demo-'));
  const args = ['demo', '--data-dir', join(dataDir, 'demo'), '--port', '0', '--crm-port', '0', '--app-port', '0'];
  const child = spawn(orielBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  await new Promise((ok, fail) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('Press Ctrl-C to stop.')) ok();
    });
    exited.then(({ code }) => fail(new Error(`oriel demo exited with ${code}:\n${stdout}\n${stderr}`)));
  });
  const url = (label) => stdout.match(new RegExp(`${label}\\s+(http://\\S+)`))[1];
  return {
    app: url('Northwind \\(partner app\\)'),
    oriel: url('Oriel'),
    crm: url('Demo CRM \\(OAuth 2\\.0\\)'),
    logs: () => stdout + stderr,
    /** Stops the demo as Ctrl-C does, and resolves to its exit code. */
    async stop() {
      child.kill('SIGINT');
      const { code } = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

let demo, browser, context;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  demo = await startDemo();
  browser = await launch();
  // 1366 px: the laptop width at which names were cut ("Demo Ma…", issue 13).
  context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
});

after(async () => {
  await browser?.close();
  if (demo) assert.equal(await demo.stop(), 0, `oriel demo did not stop cleanly:\n${demo.logs()}`);
});

/** Opens a page of Northwind, failing the test on any script error in it. */
async function open(path) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.errors = errors;
  await page.goto(demo.app + path);
  return page;
}

/**
 * Signs in as user with the switcher at the top right: the page reloads, or
 * (SDK and React) switches in place.
 */
async function switchUser(page, user) {
  await page.locator('body[data-user]').waitFor();
  if ((await page.locator('body').getAttribute('data-user')) === user) return;
  await page.selectOption('#user', user);
  await page.locator(`body[data-user="${user}"]`).waitFor();
}

/** The Demo CRM's card in the widget framed by selector. */
function crmCard(page, selector) {
  return page.frameLocator(selector).locator('article.conn', { hasText: 'Demo CRM' });
}

/**
 * Clicks Connect on the Demo CRM card, approves in the consent popup, and
 * waits until the popup closes.
 */
async function connectCRM(page, card) {
  const [popup] = await Promise.all([page.waitForEvent('popup'), card.getByRole('button', { name: 'Connect', exact: true }).click()]);
  await popup.waitForURL(`${demo.crm}/**`);
  // Listen before clicking: the popup may close before a later listener exists.
  const closed = popup.waitForEvent('close', { timeout: 15_000 });
  await popup.getByRole('button', { name: 'Approve' }).click();
  await closed.catch(async () => {
    const text = await popup.locator('body').innerText().catch(() => '(unreadable)');
    assert.fail(`the consent popup did not close; it shows ${popup.url()}:\n${text}`);
  });
}

/** Waits until the widget and the page's status line both say Connected, and the log has the event. */
async function expectConnected(page, card) {
  await card.locator('.status-label', { hasText: /^Connected$/ }).waitFor();
  await page.locator('#statusId', { hasText: /^Connected$/ }).waitFor();
  const entry = page.locator('#eventlog .event', { hasText: 'connectionStatusChange' }).first();
  await entry.waitFor();
  assert.match(await entry.innerText(), /connected\s+true/);
}

/**
 * Checks the looks of the connection cards framed by selector (issue 13):
 * no name is cut, and a connected one says since when, as every view does.
 */
async function expectCardsWhole(page, selector) {
  const frame = page.frameLocator(selector);
  const names = frame.locator('.conn-name');
  assert.ok((await names.count()) > 1, 'the list shows several connections');
  for (const name of await names.all()) {
    const [scroll, client, text] = await name.evaluate((el) => [el.scrollWidth, el.clientWidth, el.textContent]);
    assert.ok(scroll <= client, `the name ${text} is cut: ${scroll}px in ${client}px`);
  }
  const since = crmCard(page, selector).locator('.conn-since');
  await since.waitFor();
  assert.match(await since.innerText(), /^Connected on \w/);
}

/**
 * Saves full-page screenshots of page in light and dark appearance, scrolled
 * to the top first: a full-page capture keeps the scroll position, which
 * would leave the sticky bars in the middle of the picture.
 */
async function screenshots(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(artifacts, `demo-${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: null });
}

test('the overview links every way to embed Oriel', { timeout }, async () => {
  const page = await open('/');
  for (const name of ['Raw iframe', 'JavaScript SDK', 'React', 'Fully Embedded', 'White-label SSO']) {
    await page.getByRole('heading', { name }).waitFor();
  }
  await screenshots(page, 'overview');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('raw iframe: Connect, approve in the popup, Connected in the widget, the status and the log', { timeout }, async () => {
  const page = await open('/raw');
  const card = crmCard(page, '#orielWidget');
  await card.waitFor();
  await page.locator('#eventlog .event', { hasText: 'heightChange' }).first().waitFor();
  const height = await page.locator('#orielWidget').evaluate((f) => f.getBoundingClientRect().height);
  assert.ok(height > 100, `the page did not size the iframe from heightChange: ${height}px`);
  await connectCRM(page, card);
  await expectConnected(page, card);
  await screenshots(page, 'raw-iframe');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('raw iframe: a viewer sees the status only', { timeout }, async () => {
  const page = await open('/raw');
  await switchUser(page, 'victor');
  const card = crmCard(page, '#orielWidget');
  await card.locator('.status-label', { hasText: /^Connected$/ }).waitFor();
  // The page's status line hears the status on load, with no change (issue 13).
  await page.locator('#statusId', { hasText: /^Connected$/ }).waitFor();
  assert.equal(await card.getByRole('button', { name: /Connect|Disconnect|Reconnect/ }).filter({ visible: true }).count(), 0);
  await switchUser(page, 'alice');
  await page.close();
});

test("CRM data: the connected Demo CRM's contacts, read by Northwind's backend through Oriel's proxy", { timeout }, async () => {
  const page = await open('/crm');
  await switchUser(page, 'alice');
  await page.locator('#crm-data tr[data-contact]', { hasText: 'Ada Lovelace' }).waitFor();
  assert.equal(await page.locator('#crm-data tr[data-contact]').count(), 4);
  await screenshots(page, 'crm-data');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('SDK: switching users changes contextKey; Globex connects its Demo CRM', { timeout }, async () => {
  const page = await open('/sdk');
  await page.locator('#eventlog .event', { hasText: 'tokenAck' }).first().waitFor();
  await switchUser(page, 'grace');
  await page.locator('#eventlog .event', { hasText: 'Signed in as Grace Garcia' }).waitFor();
  await page.locator('[data-bind="id"]', { hasText: 'grace' }).waitFor();
  const card = crmCard(page, '#connections iframe');
  await connectCRM(page, card);
  await expectConnected(page, card);
  await expectCardsWhole(page, '#connections iframe');
  await screenshots(page, 'sdk');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('React: Acme disconnects its Demo CRM, then connects it again', { timeout }, async () => {
  const page = await open('/react');
  await switchUser(page, 'alice');
  const card = crmCard(page, '#react-root iframe');
  await card.locator('.status-label', { hasText: /^Connected$/ }).waitFor();
  await card.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await card.locator('[data-action="confirm-disconnect"]').click();
  await page.locator('#statusId', { hasText: /^Disconnected$/ }).waitFor();
  await connectCRM(page, card);
  await expectConnected(page, card);
  await expectCardsWhole(page, '#react-root iframe');
  await screenshots(page, 'react');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Fully Embedded: the workspace in an iframe, sized by heightChange', { timeout }, async () => {
  const page = await open('/embedded');
  const workspace = page.frameLocator('#orielWidget');
  await workspace.getByRole('heading', { name: 'Connections' }).waitFor();
  await crmCard(page, '#orielWidget').locator('.status-label', { hasText: /^Connected$/ }).waitFor();
  await page.locator('#eventlog .event', { hasText: 'heightChange' }).first().waitFor();
  await screenshots(page, 'fully-embedded');
  // The workspace's Benefits section, in the same iframe and session.
  await workspace.getByRole('link', { name: 'Benefits' }).click();
  await workspace.getByRole('heading', { name: 'Your benefits' }).waitFor();
  assert.equal(await workspace.getByRole('link', { name: 'Benefits' }).getAttribute('aria-current'), 'page');
  assert.equal(await workspace.locator('#section-connections').isHidden(), true);
  await screenshots(page, 'fully-embedded-benefits');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the SSO link lands in the workspace, signed in', { timeout }, async () => {
  const page = await open('/');
  const [workspace] = await Promise.all([context.waitForEvent('page'), page.locator('#sso-link').click()]);
  await workspace.waitForURL(`${demo.oriel}/connections`);
  await workspace.getByRole('heading', { name: 'Connections' }).waitFor();
  const text = await workspace.locator('body').innerText();
  assert.match(text, /Acme Inc\./);
  assert.match(text, /Alice Adams/);
  // The brand mark holds the workspace's initials, not an empty square.
  assert.match(await workspace.locator('.brand-mark').innerText(), /^[A-Z]{1,2}$/);
  const since = workspace.locator('article.conn', { hasText: 'Demo CRM' }).locator('.conn-since');
  assert.match(await since.innerText(), /^Connected on \w/);
  await screenshots(workspace, 'sso-workspace');
  await workspace.close();
  await page.close();
});

test('at phone width the top bar is one line, and the widget fits', { timeout }, async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  try {
    const page = await phone.newPage();
    await page.goto(demo.app + '/sdk');
    await crmCard(page, '#connections iframe').waitFor();
    const bar = await page.locator('.topbar').boundingBox();
    assert.ok(bar.height <= 64, `the top bar is ${bar.height}px high: it wraps`);
    const [crumbs, switcher] = [await page.locator('.crumbs').boundingBox(), await page.locator('.switcher').boundingBox()];
    assert.ok(Math.abs(crumbs.y + crumbs.height / 2 - (switcher.y + switcher.height / 2)) < 4, 'the customer and the switcher share one line');
    assert.ok(switcher.x + switcher.width <= 390, 'the switcher fits the screen');
    await page.screenshot({ path: join(artifacts, 'demo-sdk-phone.png'), fullPage: false });
  } finally {
    await phone.close();
  }
});

test('Benefits: an employee adds a spouse, elects medical for employee + spouse, waives vision; the page hears onEnrollmentSubmitted', { timeout }, async () => {
  const page = await open('/benefits');
  await switchUser(page, 'alice');
  const frame = page.frameLocator('#benefits-root iframe');
  await frame.getByRole('heading', { name: 'Your benefits' }).waitFor();
  await screenshots(page, 'benefits-empty');
  await enrollAsEmployee(frame, { name: 'Alice Adams', spouse: ['Sam', 'Adams'], plan: 'Silver HMO', screenshot: () => screenshots(page, 'benefits-compare') });
  await page.locator('#enrollmentId', { hasText: /vision waived/ }).waitFor();
  const entries = await page
    .locator('#eventlog .event')
    .filter({ has: page.locator('.event-type', { hasText: /^enrollmentSubmitted$/ }) })
    .allInnerTexts();
  assert.equal(entries.length, 2, 'one enrollmentSubmitted message per submission in the log');
  assert.match(entries.at(-1), /plan_kind\s+"medical"[\s\S]*waived\s+false/);
  await screenshots(page, 'benefits');
  await page.setViewportSize({ width: 360, height: 800 });
  await page.waitForTimeout(300);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, 'demo-benefits-360.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  assert.deepEqual(page.errors, []);
});

test('Benefits: the vendor console approves the seeded pending birth, and the dashboard shows the special window', { timeout }, async () => {
  const page = await open('/benefits');
  await switchUser(page, 'alice');
  const console_ = page.locator('#vendor-console');
  const birth = console_.locator('li', { hasText: 'birth' });
  await birth.waitFor();
  assert.equal(await console_.locator('li').count(), 1, 'only the pending birth waits; the seeded marriage is approved');
  await Promise.all([page.waitForURL(/\/benefits$/), birth.getByRole('button', { name: 'Approve' }).click()]);
  await console_.getByText('No life events are waiting.').waitFor();
  const frame = page.frameLocator('#benefits-root iframe');
  await frame.getByRole('tab', { name: 'Life events' }).click();
  const birthCard = frame.locator('.ed-life', { hasText: 'Birth of a child' });
  await birthCard.locator('.ed-life-window.is-open').waitFor();
  assert.match(await birthCard.innerText(), /Special enrollment is open/);
  await screenshots(page, 'benefits-life-event-approved');
  assert.deepEqual(page.errors, []);
});

test('Benefits: both seeded appointment types offer weekday times; Alice books an advisor call and the page hears onAppointmentBooked', { timeout }, async () => {
  const page = await open('/benefits');
  await switchUser(page, 'alice');
  const frame = page.frameLocator('#benefits-root iframe');
  await frame.getByRole('tab', { name: 'Appointments' }).click();
  await frame.getByRole('button', { name: 'Book an appointment' }).click();
  const offered = frame.locator('.ed-appt-type');
  await offered.first().waitFor();
  assert.deepEqual((await offered.allInnerTexts()).map((t) => t.split('\n')[0]), ['Telehealth — primary care', 'Benefits advisor call']);
  for (const name of ['Telehealth — primary care', 'Benefits advisor call']) {
    await offered.filter({ hasText: name }).click();
    // The first time offered falls on a weekday in New York.
    const first = frame.locator('#ed-slot-0');
    const start = new Date(await first.getAttribute('value'));
    const weekday = start.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'America/New_York' });
    assert.ok(!['Saturday', 'Sunday'].includes(weekday), `${name}: a weekday, not ${weekday}`);
    if (name === 'Telehealth — primary care') await frame.getByRole('button', { name: 'Back', exact: true }).click();
  }
  // By keyboard: the fixed-height iframe scrolls, a key press cannot miss.
  await frame.locator('#ed-slot-0').focus();
  await frame.locator('#ed-slot-0').press('Space');
  await frame.locator('.ed-appt-chosen').waitFor();
  await frame.getByRole('button', { name: 'Continue' }).click();
  await frame.getByRole('button', { name: 'Review' }).click();
  await frame.getByRole('button', { name: 'Book appointment' }).click();
  await frame.locator('.ed-notice', { hasText: 'Benefits advisor call is booked for' }).waitFor();
  await frame.locator('.ed-appt', { hasText: 'Benefits advisor call' }).waitFor();
  const entries = page.locator('#eventlog .event').filter({ has: page.locator('.event-type', { hasText: /^appointmentBooked$/ }) });
  await entries.first().waitFor();
  assert.match(await entries.first().innerText(), /type_name\s+"Benefits advisor call"/);
  await screenshots(page, 'benefits-appointments');
  assert.deepEqual(page.errors, []);
});
