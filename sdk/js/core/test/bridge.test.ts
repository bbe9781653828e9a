// What the host side of the bridge accepts, and what it does with it
// (docs/protocol.md, "Origins and windows" and "Messages").
import { afterEach, beforeEach, describe, expect, test, vi, type Mock } from "vitest";
import { createOriel, type ErrorCallback, type MountOptions, type Oriel } from "../src/index";
import { ORIEL, frames, fromWidget, postRaw, sent, settle, tokenSource } from "../../test/bridge";

let host: HTMLElement;
let oriel: Oriel;
let onError: Mock<ErrorCallback>;

beforeEach(() => {
  vi.useFakeTimers();
  host = document.body.appendChild(document.createElement("div"));
  onError = vi.fn<ErrorCallback>();
  oriel = createOriel({ baseUrl: ORIEL, fetchToken: tokenSource(), onError });
});

afterEach(() => {
  oriel.destroy();
  host.remove();
  vi.useRealTimers();
});

function callbacks() {
  return {
    onReady: vi.fn(),
    onTokenExpired: vi.fn(),
    onAuthError: vi.fn(),
    onError: vi.fn(),
    onConnectionStatusChange: vi.fn(),
    onEnrollmentSubmitted: vi.fn(),
    onLifeEventSubmitted: vi.fn(),
    onAppointmentBooked: vi.fn(),
    onAppointmentRescheduled: vi.fn(),
    onAppointmentCancelled: vi.fn(),
  };
}

function mount(options: Partial<MountOptions> = {}) {
  const element = host.appendChild(document.createElement("div"));
  const calls = callbacks();
  const widget = oriel.mount(element, { widget: "connections", ...calls, ...options } as MountOptions);
  const [frame] = frames(element);
  return { widget, frame, element, calls };
}

/** Mounts a widget that holds t1 and has acknowledged it. */
async function mountInteractive(options: Partial<MountOptions> = {}) {
  const mounted = mount(options);
  fromWidget(mounted.frame, "ready");
  await settle();
  fromWidget(mounted.frame, "tokenAck");
  expect(mounted.calls.onReady).toHaveBeenCalledTimes(1);
  return mounted;
}

function noCallbacks(calls: ReturnType<typeof callbacks>) {
  for (const fn of Object.values(calls)) expect(fn).not.toHaveBeenCalled();
  expect(onError).not.toHaveBeenCalled();
}

describe("messages the host acts on", () => {
  test("error → the widget's onError and the instance's onError", async () => {
    const { frame, calls } = await mountInteractive();
    fromWidget(frame, "error", { code: "connection_failed", message: "The provider said no." });
    expect(calls.onError).toHaveBeenCalledExactlyOnceWith("connection_failed", "The provider said no.");
    expect(onError).toHaveBeenCalledExactlyOnceWith("connection_failed", "The provider said no.");
    expect(calls.onAuthError).not.toHaveBeenCalled();
  });

  test("authError → the widget's onAuthError and the instance's onError", async () => {
    const { frame, calls } = await mountInteractive();
    fromWidget(frame, "authError", { code: "token_revoked", message: "The token was revoked." });
    expect(calls.onAuthError).toHaveBeenCalledExactlyOnceWith("token_revoked", "The token was revoked.");
    expect(onError).toHaveBeenCalledExactlyOnceWith("token_revoked", "The token was revoked.");
    expect(calls.onError).not.toHaveBeenCalled();
  });

  test("an error without a message gets an empty one; one without a code is ignored", async () => {
    const { frame, calls } = await mountInteractive();
    fromWidget(frame, "error", { code: "x" });
    expect(calls.onError).toHaveBeenCalledExactlyOnceWith("x", "");
    fromWidget(frame, "error", { message: "no code" });
    fromWidget(frame, "authError", { code: 7, message: "numeric code" });
    fromWidget(frame, "error");
    expect(calls.onError).toHaveBeenCalledTimes(1);
    expect(calls.onAuthError).not.toHaveBeenCalled();
  });

  test("an error page that posts only error (a direct-link page) reaches onError too", () => {
    const { frame, calls } = mount();
    fromWidget(frame, "error", { message: "This link has expired.", code: "token_too_old" });
    expect(calls.onError).toHaveBeenCalledExactlyOnceWith("token_too_old", "This link has expired.");
  });

  test("connectionStatusChange → onConnectionStatusChange with exactly the known fields", async () => {
    const { frame, calls } = await mountInteractive();
    const of = { id: "conn_1", provider: "oauth2", integration: "crm", name: "Demo CRM" };
    fromWidget(frame, "connectionStatusChange", { ...of, connected: true, extra: "dropped" });
    fromWidget(frame, "connectionStatusChange", { ...of, connected: false, error: "invalid_grant" });
    fromWidget(frame, "connectionStatusChange", { id: "conn_2", provider: "democrm", connected: true, integration: 7 });
    expect(calls.onConnectionStatusChange.mock.calls).toEqual([
      [{ ...of, connected: true }],
      [{ ...of, connected: false, error: "invalid_grant" }],
      // From an older server (or mistyped): integration and name are left out.
      [{ id: "conn_2", provider: "democrm", connected: true }],
    ]);
  });

  test.each([
    ["no id", { provider: "p", connected: true }],
    ["a numeric id", { id: 1, provider: "p", connected: true }],
    ["no provider", { id: "c", connected: true }],
    ["connected as a string", { id: "c", provider: "p", connected: "true" }],
    ["no connected", { id: "c", provider: "p" }],
    ["a payload that is a string", "connected"],
  ])("connectionStatusChange with %s is ignored", async (_, payload) => {
    const { frame, calls } = await mountInteractive();
    fromWidget(frame, "connectionStatusChange", payload);
    expect(calls.onConnectionStatusChange).not.toHaveBeenCalled();
  });

  test("enrollmentSubmitted → onEnrollmentSubmitted with exactly the known fields", async () => {
    const { frame, calls } = await mountInteractive({ widget: "employee-dashboard" });
    expect(frame.src).toContain("/widgets/employee-dashboard?parent_origin=");
    fromWidget(frame, "enrollmentSubmitted", { plan_kind: "medical", election_id: "bel_1", waived: false, plan_id: "dropped" });
    fromWidget(frame, "enrollmentSubmitted", { plan_kind: "vision", election_id: "bel_2", waived: true });
    expect(calls.onEnrollmentSubmitted.mock.calls).toEqual([
      [{ plan_kind: "medical", election_id: "bel_1", waived: false }],
      [{ plan_kind: "vision", election_id: "bel_2", waived: true }],
    ]);
  });

  test.each([
    ["no election_id", { plan_kind: "medical", waived: false }],
    ["waived as a string", { plan_kind: "medical", election_id: "e", waived: "false" }],
    ["a numeric plan_kind", { plan_kind: 1, election_id: "e", waived: false }],
    ["a payload that is an array", ["medical", "e", false]],
  ])("enrollmentSubmitted with %s is ignored", async (_, payload) => {
    const { frame, calls } = await mountInteractive({ widget: "employee-dashboard" });
    fromWidget(frame, "enrollmentSubmitted", payload);
    expect(calls.onEnrollmentSubmitted).not.toHaveBeenCalled();
  });

  test("lifeEventSubmitted → onLifeEventSubmitted with exactly the known fields", async () => {
    const { frame, calls } = await mountInteractive({ widget: "employee-dashboard" });
    fromWidget(frame, "lifeEventSubmitted", { event_id: "lev_1", type: "birth", note: "dropped" });
    fromWidget(frame, "lifeEventSubmitted", { event_id: 1, type: "birth" });
    expect(calls.onLifeEventSubmitted.mock.calls).toEqual([[{ event_id: "lev_1", type: "birth" }]]);
  });

  const appointment = {
    appointment_id: "apm_1",
    type: "apt_1",
    type_name: "Telehealth — primary care",
    start: "2026-03-10T14:00:00Z",
    end: "2026-03-10T14:20:00Z",
  };

  test("appointmentBooked, appointmentRescheduled, appointmentCancelled → their callbacks with exactly the known fields", async () => {
    const { frame, calls } = await mountInteractive({ widget: "employee-dashboard" });
    const moved = { ...appointment, start: "2026-03-11T15:00:00Z", end: "2026-03-11T15:20:00Z", previous_start: appointment.start };
    fromWidget(frame, "appointmentBooked", { ...appointment, answers: { reason: "dropped" } });
    fromWidget(frame, "appointmentRescheduled", moved);
    fromWidget(frame, "appointmentCancelled", { ...moved, cancelled_by: "employee" });
    expect(calls.onAppointmentBooked.mock.calls).toEqual([[appointment]]);
    expect(calls.onAppointmentRescheduled.mock.calls).toEqual([[moved]]);
    const { previous_start: _, ...cancelled } = moved;
    expect(calls.onAppointmentCancelled.mock.calls).toEqual([[cancelled]]);
    expect(calls.onEnrollmentSubmitted).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
  });

  test.each([
    ["appointmentBooked", "no appointment_id", { ...appointment, appointment_id: undefined }],
    ["appointmentBooked", "a numeric start", { ...appointment, start: 1773151200000 }],
    ["appointmentBooked", "no type_name", { appointment_id: "apm_1", type: "apt_1", start: appointment.start, end: appointment.end }],
    ["appointmentCancelled", "no end", { ...appointment, end: undefined }],
    ["appointmentCancelled", "a payload that is a string", "apm_1"],
    ["appointmentRescheduled", "no previous_start", appointment],
  ])("%s with %s is ignored", async (type, _, payload) => {
    const { frame, calls } = await mountInteractive({ widget: "employee-dashboard" });
    fromWidget(frame, type, payload);
    expect(calls.onAppointmentBooked).not.toHaveBeenCalled();
    expect(calls.onAppointmentRescheduled).not.toHaveBeenCalled();
    expect(calls.onAppointmentCancelled).not.toHaveBeenCalled();
  });

  test("heightChange resizes the iframe with autoResize, and only then", async () => {
    const auto = await mountInteractive({ autoResize: true });
    const fixed = await mountInteractive({ height: 400 });
    fromWidget(auto.frame, "heightChange", { height: 321.2 });
    fromWidget(fixed.frame, "heightChange", { height: 321 });
    expect(auto.frame.style.height).toBe("322px");
    expect(fixed.frame.style.height).toBe("400px");

    fixed.widget.update({ autoResize: true }); // the last reported height applies at once
    expect(fixed.frame.style.height).toBe("321px");
    auto.widget.update({ autoResize: false });
    expect(auto.frame.style.height).toBe("600px");
  });

  test.each([[-1], ["300"], [null], [Infinity], [NaN], [1e9]])("heightChange with height %s is ignored", async (height) => {
    const { frame } = await mountInteractive({ autoResize: true, height: 200 });
    fromWidget(frame, "heightChange", { height });
    expect(frame.style.height).toBe("200px");
  });

  test("unknown types are ignored", async () => {
    const { frame, calls } = await mountInteractive();
    calls.onReady.mockClear();
    for (const type of ["hello", "token", "tokenUpdate", "appearance", "constructor", "__proto__", "toString"]) {
      fromWidget(frame, type, { token: "stolen?" });
    }
    noCallbacks(calls);
  });
});

describe("messages the host ignores", () => {
  test.each([
    "https://oriel.example.evil.test",
    "https://evil.test",
    "http://oriel.example",
    "https://oriel.example:8443",
    "https://sub.oriel.example",
    "null",
    "",
    "https://oriel.example/",
  ])("from the wrong origin %j", async (origin) => {
    const { frame, calls } = mount();
    await settle();
    fromWidget(frame, "ready", undefined, origin);
    fromWidget(frame, "tokenAck", undefined, origin);
    fromWidget(frame, "error", { code: "forged", message: "" }, origin);
    fromWidget(frame, "authError", { code: "forged", message: "" }, origin);
    fromWidget(frame, "heightChange", { height: 1 }, origin);
    fromWidget(frame, "connectionStatusChange", { id: "c", provider: "p", connected: true }, origin);
    expect(sent(frame)).toEqual([]); // no token was handed to a forged ready
    noCallbacks(calls);
  });

  test("from a window that is not this widget's iframe", async () => {
    const { frame, calls } = mount({ autoResize: true });
    const other = mount();
    await settle();
    const strangers: unknown[] = [null, undefined, window, { postMessage() {} }, other.frame.contentWindow];
    for (const source of strangers) {
      for (const [type, payload] of [
        ["ready", undefined],
        ["error", { code: "forged", message: "" }],
        ["heightChange", { height: 5 }],
      ] as const) {
        postRaw(JSON.stringify({ type, payload }), ORIEL, source);
      }
    }
    expect(sent(frame)).toEqual([]);
    expect(frame.style.height).toBe("");
    for (const fn of Object.values(calls)) expect(fn).not.toHaveBeenCalled();
    // What the other widget posted is its own: it got the token, and its error
    // reached its onError (and the instance's), not this widget's.
    expect(sent(other.frame).map((m) => m.type)).toEqual(["token"]);
    expect(other.calls.onError).toHaveBeenCalledExactlyOnceWith("forged", "");
    expect(onError).toHaveBeenCalledTimes(1);
  });

  test("without a source, also when the iframe has left the document and has no window", async () => {
    const { frame, calls, element } = await mountInteractive({ autoResize: true });
    calls.onReady.mockClear();
    element.remove(); // the vendor's page dropped the widget without destroying it
    expect(frame.contentWindow).toBeNull();
    postRaw(JSON.stringify({ type: "error", payload: { code: "forged", message: "" } }), ORIEL, null);
    postRaw(JSON.stringify({ type: "heightChange", payload: { height: 5 } }), ORIEL, null);
    noCallbacks(calls);
  });

  test("malformed data, without an exception", async () => {
    const { frame, calls } = await mountInteractive({ autoResize: true });
    calls.onReady.mockClear();
    const before = sent(frame).length;
    const errors: unknown[] = [];
    const catcher = (event: ErrorEvent) => errors.push(event.error);
    window.addEventListener("error", catcher);
    const bad: unknown[] = [
      { type: "error", payload: { code: "x", message: "an object, not a JSON string" } },
      ["error"],
      42,
      null,
      undefined,
      "",
      "not json",
      "{",
      "null",
      "[]",
      '["tokenExpired"]',
      '"tokenExpired"',
      "42",
      "{}",
      '{"payload":{"code":"x"}}',
      '{"type":null}',
      '{"type":["error"],"payload":{"code":"x"}}',
      '{"type":{"toString":"error"}}',
      '{"type":"error","payload":"x"}',
      '{"type":"error","payload":["x","y"]}',
      '{"type":"heightChange","payload":[5]}',
      JSON.stringify({ type: "error", payload: { code: "x", message: "y".repeat(70_000) } }),
      new ArrayBuffer(8),
    ];
    for (const data of bad) postRaw(data, ORIEL, frame.contentWindow);
    expect(frame.contentWindow).not.toBeNull();
    window.removeEventListener("error", catcher);
    expect(errors).toEqual([]);
    expect(sent(frame).length).toBe(before);
    expect(frame.style.height).toBe("");
    noCallbacks(calls);
  });

  test("prototype-pollution payloads change no prototype and reach no callback as inherited fields", async () => {
    const { frame, calls } = await mountInteractive({ autoResize: true });
    calls.onReady.mockClear();
    const hostile = [
      '{"__proto__":{"type":"error","payload":{"code":"polluted","message":"m"}}}',
      '{"type":"error","payload":{"__proto__":{"code":"polluted","message":"m"}}}',
      '{"type":"connectionStatusChange","payload":{"__proto__":{"id":"c","provider":"p","connected":true}}}',
      '{"type":"heightChange","payload":{"__proto__":{"height":99}}}',
      '{"type":"error","payload":{"constructor":{"prototype":{"polluted":true}}}}',
      '{"type":"__proto__","payload":{"polluted":true}}',
      '{"type":"connectionStatusChange","payload":{"id":"c","provider":"p","connected":true,"__proto__":{"polluted":true}}}',
    ];
    for (const data of hostile) postRaw(data, ORIEL, frame.contentWindow);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("code");
    expect(Object.prototype).not.toHaveProperty("height");
    expect(Object.prototype).not.toHaveProperty("id");
    expect(frame.style.height).toBe("");
    expect(calls.onError).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
    // The last one is a valid status; what reaches the callback is a plain object of the known fields.
    expect(calls.onConnectionStatusChange).toHaveBeenCalledTimes(1);
    const [status] = calls.onConnectionStatusChange.mock.calls[0];
    expect(Object.getPrototypeOf(status)).toBe(Object.prototype);
    expect(Object.keys(status)).toEqual(["id", "provider", "connected"]);
  });

  test("a polluted Object.prototype does not make messages valid", async () => {
    const { frame, calls } = await mountInteractive({ autoResize: true });
    calls.onReady.mockClear();
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.type = "error";
      proto.code = "polluted";
      proto.height = 77;
      postRaw("{}", ORIEL, frame.contentWindow);
      postRaw('{"type":"error","payload":{}}', ORIEL, frame.contentWindow);
      postRaw('{"type":"heightChange","payload":{}}', ORIEL, frame.contentWindow);
    } finally {
      delete proto.type;
      delete proto.code;
      delete proto.height;
    }
    expect(frame.style.height).toBe("");
    noCallbacks(calls);
  });
});

describe("what the host posts", () => {
  test("every message goes to the widget's exact origin as a JSON string, never to *", async () => {
    const { frame, widget } = await mountInteractive({ appearance: { mode: "dark" } });
    widget.update({ appearance: { mode: "light" } });
    await vi.advanceTimersByTimeAsync(780_000);
    const calls = (frame.contentWindow as unknown as { postMessage: ReturnType<typeof vi.fn> }).postMessage.mock.calls;
    expect(calls.length).toBe(4);
    for (const [data, targetOrigin] of calls) {
      expect(typeof data).toBe("string");
      expect(targetOrigin).toBe(ORIEL);
    }
    expect(sent(frame).map((m) => m.type)).toEqual(["appearance", "token", "appearance", "tokenUpdate"]);
  });

  test("with allowedOrigins, the token goes to the origin the widget said ready from, if it is allowed", async () => {
    oriel.destroy();
    oriel = createOriel({
      baseUrl: "https://oriel.example",
      fetchToken: tokenSource(),
      allowedOrigins: ["https://widgets.oriel.example", "HTTPS://Oriel.Example:443/"],
    });
    const { frame } = mount();
    fromWidget(frame, "ready", undefined, "https://elsewhere.example");
    fromWidget(frame, "ready", undefined, "https://widgets.oriel.example");
    await settle();
    expect(sent(frame)).toEqual([{ type: "token", payload: { token: "t1", expiresIn: 900 }, targetOrigin: "https://widgets.oriel.example" }]);
    fromWidget(frame, "ready", undefined, ORIEL); // allowed too, once normalised
    expect(sent(frame).at(-1)?.targetOrigin).toBe(ORIEL);
  });

  test("allowedOrigins replaces the default: baseUrl's origin is then trusted only if listed", async () => {
    oriel.destroy();
    oriel = createOriel({ baseUrl: ORIEL, fetchToken: tokenSource(), allowedOrigins: ["https://widgets.oriel.example"] });
    const { frame } = mount();
    fromWidget(frame, "ready");
    await settle();
    expect(sent(frame)).toEqual([]);
  });
});
