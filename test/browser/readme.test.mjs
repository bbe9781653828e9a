// The README's SDK snippets, as written, against examples/token-endpoint as
// written (issue 13): the page and the token endpoint share an origin, the
// snippet's only change is Oriel's URL. Signed out, onError shows the token
// endpoint's own status and code; signed in, the widget opens. Screenshots go
// to test/browser/artifacts/.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startOriel, setupVendor, launch, orielBinary } from './harness.mjs';

const repo = resolve(import.meta.dirname, '..', '..');
const artifacts = join(import.meta.dirname, 'artifacts');

/** The first ```html block of a README that creates an Oriel instance. */
function snippet(file) {
  const text = readFileSync(join(repo, file), 'utf8');
  const block = [...text.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('Oriel.createOriel('));
  assert.ok(block, `${file} has no SDK snippet`);
  return block;
}

let oriel, vendor, browser, site, tokenEndpoint;
const pages = {};

/** Listens on a free loopback port. */
const listen = (server) => new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  oriel = await startOriel();

  // The vendor's app: its pages, and /api/ and /demo/ passed to the token endpoint.
  let endpointPort;
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/api/') || req.url.startsWith('/demo/')) {
      const upstream = http.request({ host: '127.0.0.1', port: endpointPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
      return;
    }
    const page = pages[req.url];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page || 'not found');
  });
  const port = await listen(server);
  site = { origin: `http://app.test:${port}`, stop: () => new Promise((r) => server.close(r)) };

  vendor = await setupVendor(oriel, [site.origin]);
  await vendor.api('PUT', '/v1/integrations/mailgun', { provider: 'mailgun', display_name: 'Mailgun' });
  await vendor.api('POST', `/v1/customers/${vendor.customer.id}/connections`, { integration: 'mailgun' });

  const probe = http.createServer();
  endpointPort = await listen(probe);
  await new Promise((r) => probe.close(r));
  const bin = join(mkdtempSync(join(tmpdir(), 'oriel-token-endpoint-')), 'token-endpoint');
  execFileSync('go', ['build', '-o', bin, './examples/token-endpoint'], { cwd: repo, stdio: 'inherit' });
  const logs = [];
  tokenEndpoint = spawn(bin, [], {
    env: { ...process.env, ORIEL_URL: oriel.local, ORIEL_API_KEY: vendor.apiKey, TOKEN_ADDR: `127.0.0.1:${endpointPort}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  tokenEndpoint.stderr.on('data', (d) => logs.push(String(d)));
  for (let i = 0; !logs.join('').includes('listening'); i++) {
    if (i > 400 || tokenEndpoint.exitCode !== null) throw new Error(`token-endpoint did not start:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  tokenEndpoint?.kill();
  await site?.stop();
  await oriel?.stop();
});

for (const [name, file] of [['README.md', 'README.md'], ['sdk/js/README.md', 'sdk/js/README.md']]) {
  test(`${name}: the SDK snippet works against examples/token-endpoint, and onError shows its answer`, async () => {
    const path = '/' + file.replace(/\W/g, '-');
    pages[path] = `<!doctype html><meta charset="utf-8"><title>App</title><body style="margin:0;padding:16px;font-family:sans-serif">
<h1 style="font-size:18px">${name} snippet</h1>
${snippet(file).replaceAll('https://oriel.example.com', oriel.origin)}</body>`;
    const context = await browser.newContext({ viewport: { width: 1366, height: 700 } });
    const page = await context.newPage();
    const errors = [];
    page.on('console', async (msg) => {
      if (msg.type() !== 'error' || !msg.text().startsWith('Oriel')) return;
      // A message logged just before the reload below cannot be read once the
      // page is gone: it belongs to the signed-out page, already checked.
      const args = await Promise.all(msg.args().map((a) => a.jsonValue())).catch(() => null);
      if (args) errors.push(args);
    });

    // Signed out: the token endpoint answers 401, and onError says so.
    await page.goto(site.origin + path);
    for (let i = 0; !errors.length; i++) {
      assert.ok(i < 200, 'onError was not called for the 401');
      await new Promise((r) => setTimeout(r, 50));
    }
    const [, code, message, endpoint] = errors[0];
    assert.equal(code, 'token_fetch_failed');
    assert.match(message, /401 unauthenticated/);
    assert.equal(endpoint.status, 401);
    assert.equal(endpoint.code, 'unauthenticated');

    // Signed in (the example's stand-in for your sign-in): the widget opens.
    // (Signed out, the widget's own ready asked once more: a second 401.)
    const signIn = await page.evaluate(() => fetch('/demo/sign-in?customer=acme&user=ann', { method: 'POST' }).then((r) => r.status));
    assert.equal(signIn, 204);
    await page.reload();
    errors.length = 0;
    const frame = page.frameLocator('iframe');
    await frame.getByRole('heading', { name: 'Mailgun' }).waitFor({ timeout: 15000 });
    await page.screenshot({ path: join(artifacts, `readme-snippet-${file.replace(/\W/g, '-')}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('README.md: the curl quickstart sets an allowed origin and ends with a link that opens', async () => {
  const text = readFileSync(join(repo, 'README.md'), 'utf8');
  const quickstart = text.slice(text.indexOf('### Quickstart with curl'), text.indexOf('## Deploy'));
  const body = JSON.parse(quickstart.match(/-d '(\{"external_id": "globex".*?\})'/)[1]);
  assert.ok(body.allowed_origins?.length, 'the customer of the quickstart has allowed_origins');
  await vendor.api('POST', '/v1/customers', body);

  // oriel keygen, register public.pem, then the SSO link the quickstart ends with.
  const dir = mkdtempSync(join(tmpdir(), 'oriel-quickstart-'));
  execFileSync(orielBinary(), ['keygen'], { cwd: dir });
  await vendor.api('POST', '/v1/signing-keys', { public_key: readFileSync(join(dir, 'public.pem'), 'utf8') });
  const command = quickstart.match(/go run \.\/cmd\/oriel link (--key private\.pem --vendor vnd_… --customer Eglobex \\\n\s+--sso \/connections) --base-url http:\/\/localhost:8080/);
  assert.ok(command, 'the quickstart ends with an SSO link of customer Eglobex');
  const args = command[1].replace('vnd_…', vendor.vendorId).split(/\s+\\?\s*/).filter((a) => a && a !== '\\');
  const link = execFileSync(orielBinary(), ['link', ...args, '--base-url', oriel.origin], { cwd: dir, encoding: 'utf8' }).trim();

  const context = await browser.newContext({ viewport: { width: 1366, height: 700 } });
  const page = await context.newPage();
  const response = await page.goto(link);
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/connections');
  await page.getByText('Globex').first().waitFor();
  await page.screenshot({ path: join(artifacts, 'readme-quickstart-sso.png') });
  await context.close();
});
