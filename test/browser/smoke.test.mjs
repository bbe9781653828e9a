import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startOriel, setupVendor, launch } from './harness.mjs';

let oriel, browser;
before(async () => {
  oriel = await startOriel();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await oriel?.stop();
});

test('Chromium reaches oriel on its own origin and the vendor API works', async () => {
  const v = await setupVendor(oriel, ['http://vendor.test:1']);
  assert.match(v.vendorId, /^vnd_/);
  const page = await browser.newPage();
  const res = await page.goto(`${oriel.origin}/healthz`);
  assert.equal(res.status(), 200);
  await page.close();
});
