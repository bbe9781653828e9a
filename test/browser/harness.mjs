// The browser-test harness: a real `oriel serve` on loopback, vendor and
// attacker pages on other origins, and Debian's Chromium driven by
// playwright-core. Hosts *.test resolve to 127.0.0.1 inside Chromium only,
// so every origin is distinct and nothing leaves the machine.
import { spawn, execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { nanoid } from 'nanoid';
import { chromium } from 'playwright-core';

const repo = resolve(import.meta.dirname, '..', '..');

/** Builds the oriel binary once per test process and returns its path. */
let binary;
export function orielBinary() {
  if (!binary) {
    const dir = mkdtempSync(join(tmpdir(), 'oriel-bin-'));
    binary = join(dir, 'oriel');
    execFileSync('go', ['build', '-o', binary, './cmd/oriel'], { cwd: repo, stdio: 'inherit' });
  }
  return binary;
}

/** Builds test/browser/oauthserver once per test process and returns its path. */
let oauthServerBinary;
function oauthServerProgram() {
  if (!oauthServerBinary) {
    const dir = mkdtempSync(join(tmpdir(), 'oriel-oauthserver-'));
    oauthServerBinary = join(dir, 'oauthserver');
    execFileSync('go', ['build', '-o', oauthServerBinary, './test/browser/oauthserver'], { cwd: repo, stdio: 'inherit' });
  }
  return oauthServerBinary;
}

/**
 * Starts Oriel's local OAuth 2.0 authorization server (package oauthdev, by
 * way of test/browser/oauthserver) on loopback, with one client whose
 * redirect URI is redirectURI. It resolves to {url, issuer, clientId,
 * clientSecret, stop()}; the server shows a consent page with Approve and
 * Deny buttons.
 */
export async function startOAuthServer(redirectURI) {
  const child = spawn(oauthServerProgram(), ['-redirect-uri', redirectURI], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) ok(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => fail(new Error(`oauthserver exited with ${code}`)));
  });
  const info = JSON.parse(line);
  return {
    url: info.url,
    issuer: info.issuer,
    clientId: info.client_id,
    clientSecret: info.client_secret,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    },
  };
}

/** Listens on a free loopback port and returns it. */
function listen(server) {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server.address().port));
  });
}

async function freePort() {
  const s = http.createServer();
  const port = await listen(s);
  await new Promise((ok) => s.close(ok));
  return port;
}

/**
 * Starts `oriel serve --dev` with a fresh data dir. The returned object knows
 * its public origin (http://oriel.test:PORT, as the browser sees it), its
 * loopback URL (for node's fetch), its data dir, and how to run CLI commands
 * on its data.
 */
export async function startOriel() {
  const dataDir = mkdtempSync(join(tmpdir(), 'oriel-data-'));
  const port = await freePort();
  const origin = `http://oriel.test:${port}`;
  const local = `http://127.0.0.1:${port}`;
  const logs = [];
  const child = spawn(orielBinary(), ['serve', '--dev', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--public-url', origin], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => logs.push(String(d)));
  child.stderr.on('data', (d) => logs.push(String(d)));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${local}/healthz`)).ok) break;
    } catch {}
    if (i > 200 || child.exitCode !== null) throw new Error(`oriel did not start:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    origin,
    local,
    logs,
    dataDir,
    cli: (...args) => execFileSync(orielBinary(), [...args, '--data-dir', dataDir], { encoding: 'utf8' }),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates a vendor with an RSA signing key, the given allowed origins, and a
 * customer "acme" with an admin "ann" and a viewer "vic". It returns an API
 * client and sign(), which makes tokens exactly as the reference docs do in
 * Node: jsonwebtoken's sign({sub, jti: nanoid()}, privateKey, {algorithm: 'RS256'}).
 */
export async function setupVendor(oriel, allowedOrigins) {
  const created = JSON.parse(oriel.cli('vendor', 'create', '--name', 'Browser Test Vendor', '--json'));
  const vendorId = created.vendor.id;
  const apiKey = created.api_key.secret;
  const api = async (method, path, body) => {
    const res = await fetch(oriel.local + path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await api('PUT', '/v1/signing-key', { public_key: publicKey.export({ type: 'spki', format: 'pem' }) });
  await api('PATCH', '/v1/vendor', { allowed_origins: allowedOrigins });
  const customer = await api('POST', '/v1/customers', { external_id: 'acme', name: 'Acme Corp' });
  const admin = await api('POST', `/v1/customers/${customer.id}/users`, { external_id: 'ann', name: 'Ann Admin', email: 'ann@acme.test', role: 'admin' });
  const viewer = await api('POST', `/v1/customers/${customer.id}/users`, { external_id: 'vic', name: 'Vic Viewer', email: 'vic@acme.test', role: 'viewer' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const sign = (subject, extra = {}) => jwt.sign({ sub: `${vendorId}:${subject}`, jti: nanoid(), ...extra }, pem, { algorithm: 'RS256' });
  // mint gets a bound access token for entity, as the vendor's backend would.
  const mint = async (entity) => {
    const res = await fetch(`${oriel.local}/v1/auth/access-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', bound_entity: entity }),
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`POST /v1/auth/access-tokens: ${res.status} ${JSON.stringify(body)}`);
    return { token: body.access_token, expiresIn: body.expires_in };
  };
  return { vendorId, apiKey, api, customer, admin, viewer, sign, mint };
}

/**
 * A host page that loads the SDK by script tag and defines
 * window.mountDashboard(options), which mounts the employee dashboard in
 * #mount (as window.widget) with tokens from window.fetchToken. Each SDK
 * callback named in callbacks (such as 'onError') records its call in
 * window.events as [name without "on", ...arguments]; script runs first.
 */
export function dashboardHostPage(oriel, callbacks, script = '') {
  const recorders = callbacks.map((on) => {
    const name = on[2].toLowerCase() + on.slice(3);
    return `${on}: (...args) => events.push([${JSON.stringify(name)}, ...args]),`;
  });
  return `<!doctype html><meta charset="utf-8"><title>Host</title>
<style>body { margin: 0; font-family: sans-serif; } #mount { max-width: 100%; }</style>
<div id="mount"></div>
<script src="${oriel.origin}/sdk/oriel.js"></script>
<script>
  window.events = [];
  ${script}
  window.oriel = Oriel.createOriel({ baseUrl: ${JSON.stringify(oriel.origin)}, fetchToken: () => window.fetchToken() });
  window.mountDashboard = (options = {}) => {
    window.widget = oriel.mount(document.getElementById('mount'), {
      widget: 'employee-dashboard', autoResize: true,
      ${recorders.join('\n      ')}
      ...options,
    });
  };
</script>`;
}

/**
 * Serves pages at http://<host>.test:PORT. pages maps a path to HTML (or a
 * function of the request returning HTML).
 */
export async function startSite(host, pages) {
  const server = http.createServer((req, res) => {
    const page = pages[new URL(req.url, 'http://x').pathname];
    if (!page) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(typeof page === 'function' ? page(req) : page);
  });
  const port = await listen(server);
  return { origin: `http://${host}.test:${port}`, port, stop: () => new Promise((r) => server.close(r)) };
}

/** Launches Debian's Chromium headless; *.test names resolve to loopback. */
export async function launch(extraArgs = []) {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: run make chromium`);
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--host-resolver-rules=MAP *.test 127.0.0.1',
      ...extraArgs,
    ],
  });
}

/**
 * A host page that frames src and records every message it receives (origin
 * and data) in window.received.
 */
export function framingPage(src, { id = 'widget', referrerPolicy = '' } = {}) {
  return `<!doctype html><meta charset="utf-8"><title>Host</title>
<script>
  window.received = [];
  window.addEventListener('message', (e) => { window.received.push({ origin: e.origin, data: e.data }); });
</script>
<iframe id="${id}"${referrerPolicy ? ` referrerpolicy="${referrerPolicy}"` : ''} src="${src.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" style="width:100%;height:400px;border:0"></iframe>`;
}

/** Waits until the page's recorded messages contain one of the given type. */
export async function waitForMessage(page, type, timeout = 5000) {
  const handle = await page.waitForFunction(
    (t) => window.received.map((m) => ({ origin: m.origin, msg: (() => { try { return JSON.parse(m.data); } catch { return null; } })() })).find((m) => m.msg && m.msg.type === t),
    type,
    { timeout },
  );
  return handle.jsonValue();
}

/**
 * Saves a screenshot of a host page that frames one widget in #mount, as
 * path, once the iframe has taken the height its page reported, with the
 * viewport as tall as the page (a full-page capture does not repaint the
 * cross-origin iframe).
 */
export async function shootFramed(page, path) {
  await page.waitForTimeout(100);
  const frame = await (await page.$('#mount iframe')).contentFrame();
  const height = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  await page.waitForFunction((h) => document.querySelector('#mount iframe').offsetHeight === h, height);
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: viewport.width, height: Math.max(height, 200) });
  await page.waitForTimeout(150);
  await page.screenshot({ path, animations: 'disabled' });
  await page.setViewportSize(viewport);
}
