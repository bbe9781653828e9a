// Checks Oriel's webhook signatures with an implementation independent of
// ours: the Standard Webhooks reference library (npm standardwebhooks).
// The Go test TestSignedFixtures (internal/webhook) writes the fixtures:
// deliveries exactly as Oriel's dispatcher sent them, at fixed times.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const fixturesPath = resolve(import.meta.dirname, '..', '..', 'internal', 'webhook', 'testdata', 'signed.json');
const fixtures = JSON.parse(readFileSync(fixturesPath, 'utf8'));
const eventTypes = ['connection.created', 'connection.connected', 'connection.disconnected', 'connection.error', 'connection.deleted',
  'enrollment.submitted', 'enrollment.waived', 'enrollment.activated', 'enrollment.terminated', 'dependent.added', 'dependent.removed',
  'appointment.booked', 'appointment.rescheduled', 'appointment.cancelled'];

/** The fields of each kind of event's data, in the order Oriel sends them (docs/benefits.md#webhooks). */
function dataFields(type) {
  if (type.startsWith('connection.')) return ['connection_id', 'customer_id', 'provider'];
  if (type.startsWith('dependent.')) return ['customer_id', 'user_id', 'dependent_id', 'relationship'];
  if (type.startsWith('appointment.')) return ['customer_id', 'user_id', 'appointment_id', 'type_id', 'start', 'end'];
  const dates = { 'enrollment.activated': ['effective_date'], 'enrollment.terminated': ['effective_date', 'end_date'] }[type] || [];
  return ['customer_id', 'user_id', 'election_id', 'plan_kind', 'version', 'status', ...dates];
}

/** Runs fn with Date.now() fixed at unixSeconds, as the library reads the clock for its tolerance check. */
function at(unixSeconds, fn) {
  mock.timers.enable({ apis: ['Date'], now: unixSeconds * 1000 });
  try {
    return fn();
  } finally {
    mock.timers.reset();
  }
}

test('the fixtures cover every event type', () => {
  assert.deepEqual(fixtures.map((f) => f.name), eventTypes);
});

for (const f of fixtures) {
  test(`${f.name}: the library verifies Oriel's delivery`, () => {
    const wh = new Webhook(f.secret);
    const payload = at(f.timestamp, () => wh.verify(f.body, f.headers));
    assert.deepEqual(payload, JSON.parse(f.body));
    assert.equal(payload.id, f.headers['webhook-id']);
    assert.equal(payload.type, f.name);
    assert.match(payload.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.deepEqual(Object.keys(payload), ['id', 'type', 'created_at', 'data']);
    assert.deepEqual(Object.keys(payload.data), dataFields(f.name));
    assert.equal(f.headers['content-type'], 'application/json');
  });

  test(`${f.name}: the library signs exactly as Oriel did`, () => {
    const signature = new Webhook(f.secret).sign(f.headers['webhook-id'], new Date(f.timestamp * 1000), f.body);
    assert.equal(signature, f.headers['webhook-signature']);
  });

  test(`${f.name}: the library rejects it altered, late or under another secret`, () => {
    const wh = new Webhook(f.secret);
    const rejects = (body, headers, now = f.timestamp) =>
      assert.throws(() => at(now, () => wh.verify(body, headers)), WebhookVerificationError);
    rejects(f.body.replace('"data"', '"Data"'), f.headers);
    rejects(f.body, { ...f.headers, 'webhook-id': f.headers['webhook-id'] + '0' });
    rejects(f.body, { ...f.headers, 'webhook-timestamp': String(f.timestamp + 1) });
    rejects(f.body, f.headers, f.timestamp + 5 * 60 + 1);
    const other = new Webhook('whsec_' + Buffer.alloc(32, 7).toString('base64'));
    assert.throws(() => at(f.timestamp, () => other.verify(f.body, f.headers)), WebhookVerificationError);
  });
}

test("the library's own example signature, which the Go tests check too", () => {
  const wh = new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  const signature = wh.sign('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}');
  assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});
