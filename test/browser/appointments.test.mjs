// Appointments in the employee dashboard, in a real browser (SDK mode) whose
// time zone is Europe/Paris while the provider's is America/New_York: an
// employee books a telehealth visit for a dependent with intake answers,
// sees it listed, downloads its .ics (UTC times, UID, SEQUENCE, SUMMARY),
// reschedules it (same UID, SEQUENCE + 1) and cancels it (METHOD:CANCEL);
// the host page heard appointmentBooked, appointmentRescheduled and
// appointmentCancelled from Oriel's origin only. Then the errors: a slot
// taken by someone else meanwhile (slot_unavailable, the times refreshed),
// and a cut-off the vendor moved (cutoff_passed, the list refreshed and the
// buttons explained). Screenshots (light, dark, 360 px wide) go to
// test/browser/artifacts/.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOriel, setupVendor, startSite, launch, shootFramed, dashboardHostPage } from './harness.mjs';

const artifacts = join(import.meta.dirname, 'artifacts');
let oriel, browser, vendor, hostSite;
const hostPages = {};
const types = {};

/** Every day of the week, 9:00 to 12:00 in New York: some slots are always free. */
const weekly = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => ({ day, start: '09:00', end: '12:00' }));

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  oriel = await startOriel();
  hostSite = await startSite('vendor', hostPages);
  vendor = await setupVendor(oriel, [hostSite.origin]);
  for (const [external, name] of [['ava', 'Ava Reed'], ['ben', 'Ben Cho'], ['cy', 'Cy Ortiz']]) {
    await vendor.api('POST', `/v1/customers/${vendor.customer.id}/users`, { external_id: external, name, email: `${external}@acme.test`, role: 'member', hire_date: '2024-03-01' });
  }
  const availability = { time_zone: 'America/New_York', weekly, horizon_days: 14 };
  types.telehealth = await vendor.api('POST', '/v1/appointment-types', {
    name: 'Telehealth visit', description: 'A video visit with a primary-care clinician.', duration_minutes: 20, mode: 'video',
    who_may_book: 'employee_or_dependent', cutoff_minutes: 60, availability,
    questions: [
      { id: 'reason', label: 'What is the visit about?', kind: 'text', required: true },
      { id: 'first_visit', label: 'Is this your first visit?', kind: 'yes_no' },
    ],
  });
  types.advisor = await vendor.api('POST', '/v1/appointment-types', {
    name: 'Benefits advisor call', duration_minutes: 30, mode: 'phone', availability,
    questions: [{ id: 'topic', label: 'What would you like to discuss?', kind: 'text' }],
  });
  // Where every appointment message came from, as the page received it.
  const recordOrigins = `window.origins = [];
  window.addEventListener('message', (e) => {
    try { if (/^appointment/.test(JSON.parse(e.data).type)) origins.push(e.origin); } catch {}
  });`;
  hostPages['/'] = () => dashboardHostPage(oriel, ['onError', 'onAppointmentBooked', 'onAppointmentRescheduled', 'onAppointmentCancelled'], recordOrigins);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await hostSite?.stop();
  await oriel?.stop();
});

/** Mints a token bound to the employee external, as the vendor's backend would. */
const mint = (external) => vendor.mint({ type: 'employee', id: `E${external}` });

/** Opens the host page as the employee, in Paris, on the Appointments tab. */
async function openHost(external, { viewport = { width: 1100, height: 900 }, mount = {} } = {}) {
  const context = await browser.newContext({ viewport, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.errors = errors;
  await page.exposeFunction('fetchToken', () => mint(external));
  await page.goto(hostSite.origin + '/');
  await page.evaluate((options) => window.mountDashboard(options), mount);
  const frame = page.frameLocator('#mount iframe');
  await frame.getByRole('tab', { name: 'Appointments' }).click();
  return { page, context, frame };
}

const shoot = (page, name) => shootFramed(page, join(artifacts, `${name}.png`));
const events = async (page, type) => (await page.evaluate(() => window.events)).filter((e) => e[0] === type).map((e) => e[1]);

/**
 * Chooses the nth day offered and its first free time, by keyboard (a
 * growing iframe cannot make a key press miss), and returns the day.
 */
async function chooseTime(frame, nth) {
  const day = frame.locator('#ed-appt-day');
  const value = await day.locator('option').nth(nth).getAttribute('value');
  await day.selectOption(value);
  const first = frame.locator('#ed-slot-0');
  await first.focus();
  await first.press('Space');
  await frame.locator('.ed-appt-chosen').waitFor();
  return value;
}

/** Downloads the appointment's calendar file from its card and parses it. */
async function downloadICS(page, card) {
  const downloaded = page.waitForEvent('download');
  await card.locator('.ed-appt-ics').click();
  const download = await downloaded;
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /\r\n/, 'content lines end in CRLF');
  const fields = {};
  for (const line of text.replace(/\r\n[ \t]/g, '').split('\r\n')) {
    const [, name, value] = line.match(/^([A-Z-]+)(?:;[^:]*)?:(.*)$/) || [];
    if (name && !(name in fields)) fields[name] = value;
  }
  return { name: download.suggestedFilename(), fields };
}

const icsTime = (iso) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');

test('book for a dependent with intake answers, see it listed, download the .ics, reschedule, cancel; the host hears each', async () => {
  const { page, context, frame } = await openHost('ava');
  await frame.getByText('No appointments yet').waitFor();

  // A dependent to book for.
  await frame.getByRole('tab', { name: 'Dependents' }).click();
  await frame.getByRole('button', { name: 'Add dependent' }).click();
  await frame.getByLabel('First name').fill('Max');
  await frame.getByLabel('Last name').fill('Reed');
  await frame.getByLabel('Relationship').selectOption('child');
  await frame.getByLabel('Date of birth').fill('2019-05-04');
  await frame.locator('form').getByRole('button', { name: 'Add dependent' }).click();
  await frame.locator('.ed-notice', { hasText: 'Max Reed was added.' }).waitFor();
  await frame.getByRole('tab', { name: 'Appointments' }).click();

  await frame.getByRole('button', { name: 'Book an appointment' }).click();
  assert.equal(await frame.locator('.ed-appt-type').count(), 2);
  await frame.locator('.ed-appt-type', { hasText: 'Telehealth visit' }).click();
  await frame.locator('#ed-appt-day').waitFor();
  assert.match(await frame.locator('.ed-appt-zone').innerText(), /your time zone, Europe\/Paris[\s\S]*provider's time zone is America\/New York/);
  await chooseTime(frame, 1);
  // Each time shows the provider's clock too; the choice both.
  assert.match(await frame.locator('.ed-slot').first().innerText(), /\d:\d\d (AM|PM)\s+9:00 AM E[SD]T/);
  assert.match(await frame.locator('.ed-appt-chosen').innerText(), /your time · .* 9:00 AM – 9:20 AM in America\/New York/);
  await shoot(page, 'appointments-slots-light');
  await frame.getByRole('button', { name: 'Continue' }).click();

  // For whom, and the intake questions; the required one is checked here.
  await frame.getByRole('radio', { name: /Max Reed/ }).check();
  await frame.getByRole('button', { name: 'Review' }).click();
  assert.match(await frame.locator('#ed-details-error').innerText(), /Answer “What is the visit about\?”/);
  await frame.getByLabel('What is the visit about?').fill('A rash that will not go away');
  await frame.getByRole('radio', { name: 'Yes' }).check();
  await frame.getByRole('button', { name: 'Review' }).click();
  const review = await frame.locator('.ed-review').innerText();
  assert.match(review, /Telehealth visit[\s\S]*Provider's time[\s\S]*America\/New York[\s\S]*Video call[\s\S]*Max Reed[\s\S]*A rash that will not go away[\s\S]*Yes/);
  assert.match(await frame.locator('.ed-appt-rule').innerText(), /until .* \(1 hour before the start\)/);
  await shoot(page, 'appointments-confirm-light');
  await frame.getByRole('button', { name: 'Book appointment' }).click();
  await frame.locator('.ed-notice', { hasText: 'Telehealth visit is booked for' }).waitFor();

  const [booked] = await events(page, 'appointmentBooked');
  assert.deepEqual(Object.keys(booked).sort(), ['appointment_id', 'end', 'start', 'type', 'type_name']);
  assert.equal(booked.type, types.telehealth.id);
  assert.equal(booked.type_name, 'Telehealth visit');
  assert.match(booked.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const stored = await vendor.api('GET', `/v1/appointments/${booked.appointment_id}`);
  assert.equal(stored.start, booked.start);
  assert.equal(stored.status, 'booked');
  assert.ok(stored.dependent_id, 'booked for the dependent');
  assert.deepEqual(stored.answers, { reason: 'A rash that will not go away', first_visit: 'yes' });

  // Listed, with its cut-off; its calendar file.
  const card = frame.locator(`.ed-appt[data-id="${booked.appointment_id}"]`);
  assert.match(await card.innerText(), /Telehealth visit[\s\S]*Booked[\s\S]*Europe\/Paris[\s\S]*Provider's time[\s\S]*Video call · for Max Reed[\s\S]*You can reschedule or cancel until/);
  await shoot(page, 'appointments-list-light');
  let ics = await downloadICS(page, card);
  assert.equal(ics.name, `appointment-${booked.appointment_id}.ics`);
  assert.equal(ics.fields.METHOD, 'PUBLISH');
  assert.equal(ics.fields.DTSTART, icsTime(booked.start));
  assert.equal(ics.fields.DTEND, icsTime(booked.end));
  assert.match(ics.fields.DTSTART, /^\d{8}T\d{6}Z$/);
  assert.match(ics.fields.UID, new RegExp(`^${booked.appointment_id}@`));
  assert.equal(ics.fields.SEQUENCE, '0');
  assert.match(ics.fields.SUMMARY, /Telehealth visit/);
  const uid = ics.fields.UID;

  // Reschedule to another day.
  await card.getByRole('button', { name: 'Reschedule Telehealth visit' }).click();
  await frame.locator('#ed-appt-day').waitFor();
  await chooseTime(frame, 2);
  await frame.getByRole('button', { name: 'Continue' }).click();
  assert.match(await frame.locator('.ed-review').innerText(), /Was[\s\S]*New time/);
  await frame.getByRole('button', { name: 'Move appointment' }).click();
  await frame.locator('.ed-notice', { hasText: 'Telehealth visit was moved to' }).waitFor();
  const [moved] = await events(page, 'appointmentRescheduled');
  assert.equal(moved.appointment_id, booked.appointment_id);
  assert.equal(moved.previous_start, booked.start);
  assert.notEqual(moved.start, booked.start);
  ics = await downloadICS(page, card);
  assert.equal(ics.fields.UID, uid, 'the same event, updated');
  assert.equal(ics.fields.SEQUENCE, '1');
  assert.equal(ics.fields.DTSTART, icsTime(moved.start));

  // Cancel: the first press asks to confirm.
  const cancel = card.getByRole('button', { name: 'Cancel Telehealth visit' });
  await cancel.click();
  await card.getByRole('button', { name: 'Confirm cancellation' }).click();
  await frame.locator('.ed-notice', { hasText: 'was cancelled' }).waitFor();
  const [cancelled] = await events(page, 'appointmentCancelled');
  assert.deepEqual(cancelled, { appointment_id: booked.appointment_id, type: types.telehealth.id, type_name: 'Telehealth visit', start: moved.start, end: moved.end });
  assert.match(await card.innerText(), /Cancelled/);
  assert.equal(await card.getByRole('button', { name: /^Reschedule/ }).count(), 0);
  ics = await downloadICS(page, card);
  assert.equal(ics.fields.METHOD, 'CANCEL');
  assert.equal(ics.fields.STATUS, 'CANCELLED');
  assert.equal(ics.fields.SEQUENCE, '2');
  assert.equal(ics.fields.UID, uid);
  assert.equal((await vendor.api('GET', `/v1/appointments/${booked.appointment_id}`)).cancelled_by, 'employee');

  const origins = await page.evaluate(() => window.origins);
  assert.equal(origins.length, 3);
  assert.ok(origins.every((o) => o === oriel.origin), 'appointment events come from Oriel only');
  assert.deepEqual(await events(page, 'error'), []);
  assert.deepEqual(page.errors, []);
  await context.close();
});

/** Books start of the type as the employee external, through the widget API, as another browser would. */
async function bookElsewhere(external, typeId, start) {
  const { token } = await mint(external);
  const res = await fetch(`${oriel.local}/widget-api/appointments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-oriel-parent-origin': hostSite.origin, 'content-type': 'application/json' },
    body: JSON.stringify({ type_id: typeId, start, answers: {} }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body;
}

test('a slot taken meanwhile answers slot_unavailable: the times are refreshed and another one books', async () => {
  const { page, context, frame } = await openHost('ben');
  await frame.getByRole('button', { name: 'Book an appointment' }).click();
  await frame.locator('.ed-appt-type', { hasText: 'Benefits advisor call' }).click();
  await frame.locator('#ed-appt-day').waitFor();
  // Two days on at least: past the default 24-hour cut-off, to change it later.
  await chooseTime(frame, 2);
  const start = await frame.locator('#ed-slot-0').getAttribute('value');
  await frame.getByRole('button', { name: 'Continue' }).click();
  await frame.getByLabel('What would you like to discuss? (optional)').fill('Dental coverage');
  await frame.getByRole('button', { name: 'Review' }).click();
  await bookElsewhere('cy', types.advisor.id, start);
  await frame.getByRole('button', { name: 'Book appointment' }).click();
  const error = frame.locator('#ed-slot-error');
  await error.filter({ hasText: 'That time was just taken by someone else' }).waitFor();
  assert.equal(await error.getAttribute('role'), 'alert');
  await frame.locator('#ed-slot-0').waitFor();
  assert.notEqual(await frame.locator('#ed-slot-0').getAttribute('value'), start, 'the taken time is no longer offered');
  assert.equal(await frame.locator(`.ed-slot input[value="${start}"]`).count(), 0);
  await shoot(page, 'appointments-slot-taken-light');
  await chooseTime(frame, 2);
  await frame.getByRole('button', { name: 'Continue' }).click();
  await frame.getByRole('button', { name: 'Review' }).click();
  await frame.getByRole('button', { name: 'Book appointment' }).click();
  await frame.locator('.ed-notice', { hasText: 'Benefits advisor call is booked for' }).waitFor();
  assert.equal((await events(page, 'appointmentBooked')).length, 1);
  assert.deepEqual(await events(page, 'error'), [], 'a taken slot is the employee’s to handle, not an error for the host');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('after the cut-off: a refused cancel says why, and the list disables and explains the changes', async () => {
  const { page, context, frame } = await openHost('ben');
  const card = frame.locator('.ed-appt', { hasText: 'Benefits advisor call' });
  await card.getByText('You can reschedule or cancel until').waitFor();
  // The vendor moves the cut-off to 30 days while the employee looks at it.
  await vendor.api('PATCH', `/v1/appointment-types/${types.advisor.id}`, { cutoff_minutes: 30 * 24 * 60 });
  await card.getByRole('button', { name: 'Cancel Benefits advisor call' }).click();
  await card.getByRole('button', { name: 'Confirm cancellation' }).click();
  const notice = frame.locator('.ed-notice-error');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('role'), 'alert');
  assert.match(await notice.innerText(), /can no longer be changed or cancelled here[\s\S]*30 days/);
  assert.match(await card.locator('.ed-appt-rule').innerText(), /Changes closed 30 days before the start\. To reschedule or cancel, contact the provider\./);
  for (const name of ['Reschedule Benefits advisor call', 'Cancel Benefits advisor call']) {
    const button = card.getByRole('button', { name });
    assert.equal(await button.isDisabled(), true);
    assert.match(await button.getAttribute('aria-describedby'), /appt-cutoff/);
  }
  assert.equal((await vendor.api('GET', `/v1/appointments?type=${types.advisor.id}&status=booked`)).data.length, 2);
  assert.deepEqual(await events(page, 'appointmentCancelled'), []);
  await shoot(page, 'appointments-cutoff-light');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('dark, 360 and 320 px wide: every tab label whole, no horizontal scrolling, keyboard to the last tab', async () => {
  const dark = await openHost('ben', { mount: { appearance: { mode: 'dark' } } });
  await dark.frame.locator('.ed-appt').first().waitFor();
  await shoot(dark.page, 'appointments-list-dark');
  await dark.frame.getByRole('button', { name: 'Book an appointment' }).click();
  await dark.frame.locator('.ed-appt-type', { hasText: 'Telehealth visit' }).click();
  await dark.frame.locator('#ed-appt-day').waitFor();
  await chooseTime(dark.frame, 0);
  await shoot(dark.page, 'appointments-slots-dark');
  await dark.context.close();

  for (const width of [360, 320]) {
    const narrow = await openHost('ben', { viewport: { width, height: 780 } });
    await narrow.frame.locator('.ed-appt').first().waitFor();
    const tabs = await narrow.frame.locator('[role=tab]').evaluateAll((els) => els.map((el) => {
      const r = el.getBoundingClientRect();
      return { label: el.textContent, whole: el.scrollWidth <= el.clientWidth, inside: r.left >= 0 && r.right <= document.documentElement.clientWidth };
    }));
    assert.deepEqual(tabs.map((t) => t.label), ['Overview', 'Enroll', 'Dependents', 'Life events', 'Appointments']);
    for (const t of tabs) assert.ok(t.whole && t.inside, `${t.label} is whole and on screen at ${width} px`);
    assert.equal(await narrow.frame.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth), 0, `no horizontal scrolling at ${width} px`);
    if (width === 360) {
      await shoot(narrow.page, 'appointments-list-360');
      // Keyboard: Home and End move along the tabs, whatever their rows.
      await narrow.frame.getByRole('tab', { name: 'Appointments' }).focus();
      await narrow.page.keyboard.press('Home');
      assert.equal(await narrow.frame.locator(':focus').getAttribute('id'), 'ed-tab-overview');
      await narrow.page.keyboard.press('End');
      assert.equal(await narrow.frame.locator(':focus').getAttribute('id'), 'ed-tab-appointments');
      await narrow.frame.locator('#ed-appt-book').waitFor();
      await narrow.frame.getByRole('button', { name: 'Book an appointment' }).click();
      await narrow.frame.locator('.ed-appt-type', { hasText: 'Telehealth visit' }).click();
      await narrow.frame.locator('#ed-appt-day').waitFor();
      await chooseTime(narrow.frame, 0);
      assert.equal(await narrow.frame.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth), 0);
      await shoot(narrow.page, 'appointments-slots-360');
    } else {
      await shoot(narrow.page, 'appointments-tabs-320');
    }
    assert.deepEqual(narrow.page.errors, []);
    await narrow.context.close();
  }
});
