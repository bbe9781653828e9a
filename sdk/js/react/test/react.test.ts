// The React wrapper, on React 19 (project "react") and React 18 (project
// "react18", which resolves react and react-dom to React 18).
import { act, createElement, StrictMode, version, type ReactElement } from "react";
import { version as domVersion } from "react-dom";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { ConnectionsWidget, ConnectionWidget, EmployeeViewWidget, OrielProvider, type OrielProviderProps, type WidgetProps } from "../src/index";
import { ORIEL, VENDOR, frames, fromWidget, sent, settle, tokenSource, tokensSent } from "../../test/bridge";

declare global {
  // eslint-disable-next-line no-var
  var IS_REACT_ACT_ENVIRONMENT: boolean;
}
globalThis.IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLElement;
let root: Root;
let listeners: Set<unknown>;

beforeEach(() => {
  vi.useFakeTimers();
  container = document.body.appendChild(document.createElement("div"));
  root = createRoot(container);
  listeners = new Set();
  const add = window.addEventListener.bind(window);
  const remove = window.removeEventListener.bind(window);
  vi.spyOn(window, "addEventListener").mockImplementation((type, listener, options) => {
    if (type == "message") listeners.add(listener);
    add(type, listener, options);
  });
  vi.spyOn(window, "removeEventListener").mockImplementation((type, listener, options) => {
    if (type == "message") listeners.delete(listener);
    remove(type, listener, options);
  });
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.useRealTimers();
});

function render(element: ReactElement) {
  act(() => root.render(element));
}

function app(provider: Partial<OrielProviderProps>, ...widgets: ReactElement[]) {
  return createElement(OrielProvider, { baseUrl: ORIEL, fetchToken: tokenSource(), ...provider }, ...widgets);
}

function connections(props: WidgetProps = {}) {
  return createElement(ConnectionsWidget, props);
}

test("runs on the React this project names", () => {
  expect(version.split(".")[0]).toBe(process.env.REACT_MAJOR);
  expect(domVersion).toBe(version);
});

describe("widgets", () => {
  test("render a div holding the widget's iframe, 100% × 600px by default", () => {
    render(app({}, connections(), createElement(ConnectionWidget, { connectionId: "conn 1" })));
    const [list, one] = frames(container);
    expect(list.parentElement?.tagName).toBe("DIV");
    expect(list.src).toBe(`${ORIEL}/widgets/connections?parent_origin=${encodeURIComponent(VENDOR)}`);
    expect(one.src).toBe(`${ORIEL}/widgets/connection/conn%201?parent_origin=${encodeURIComponent(VENDOR)}`);
    expect(list.style.width).toBe("100%");
    expect(list.style.height).toBe("600px");
  });

  test("without autoResize height defaults to 600px; with it, the widget's reported height", () => {
    render(app({}, connections({ autoResize: true })));
    const [frame] = frames(container);
    expect(frame.style.height).toBe("");
    fromWidget(frame, "heightChange", { height: 432 });
    expect(frame.style.height).toBe("432px");
  });

  test("props reach the iframe, and new props update it in place", () => {
    render(app({}, connections({ width: 500, height: "40vh", className: "a", style: { borderRadius: 12 } })));
    const [frame] = frames(container);
    expect(frame.style.width).toBe("500px");
    expect(frame.style.height).toBe("40vh");
    expect(frame.className).toBe("a");
    expect(frame.style.borderRadius).toBe("12px");
    render(app({}, connections({ width: 500, height: 300, className: "b" })));
    expect(frames(container)).toEqual([frame]);
    expect(frame.style.height).toBe("300px");
    expect(frame.className).toBe("b");
    expect(frame.style.borderRadius).toBe("");
  });

  test("a new connectionId loads the new connection", () => {
    render(app({}, createElement(ConnectionWidget, { connectionId: "c1" })));
    render(app({}, createElement(ConnectionWidget, { connectionId: "c2" })));
    const [frame] = frames(container);
    expect(frame.src).toContain("/widgets/connection/c2?");
    expect(frames(container)).toHaveLength(1);
  });

  test("callbacks are the latest props, and appearance changes are sent", async () => {
    const first = vi.fn();
    const onReady = vi.fn();
    render(app({}, connections({ onError: first, onReady, appearance: { mode: "dark" } })));
    const [frame] = frames(container);
    fromWidget(frame, "ready");
    await act(settle);
    fromWidget(frame, "tokenAck");
    expect(onReady).toHaveBeenCalledTimes(1);
    const second = vi.fn();
    render(app({}, connections({ onError: second, onReady, appearance: { mode: "light" } })));
    fromWidget(frame, "error", { code: "c", message: "m" });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith("c", "m");
    expect(sent(frame).map((m) => [m.type, m.payload])).toEqual([
      ["appearance", { mode: "dark" }],
      ["token", { token: "t1", expiresIn: 900 }],
      ["appearance", { mode: "light" }],
    ]);
  });

  test("connectionStatusChange and authError reach their props", () => {
    const onConnectionStatusChange = vi.fn();
    const onAuthError = vi.fn();
    render(app({}, connections({ onConnectionStatusChange, onAuthError })));
    const [frame] = frames(container);
    const status = { id: "c", provider: "democrm", integration: "crm", name: "Demo CRM", connected: true };
    fromWidget(frame, "connectionStatusChange", status);
    fromWidget(frame, "authError", { code: "origin_not_allowed", message: "no" });
    expect(onConnectionStatusChange).toHaveBeenCalledWith(status);
    expect(onAuthError).toHaveBeenCalledWith("origin_not_allowed", "no");
  });

  test("EmployeeViewWidget mounts the employee dashboard, 100% × 600px by default, with the seed's props and onEnrollmentSubmitted", () => {
    const onEnrollmentSubmitted = vi.fn();
    const onError = vi.fn();
    const onAuthError = vi.fn();
    render(app({}, createElement(EmployeeViewWidget, { onEnrollmentSubmitted, onError, onAuthError, className: "benefits" })));
    const [frame] = frames(container);
    expect(frame.src).toBe(`${ORIEL}/widgets/employee-dashboard?parent_origin=${encodeURIComponent(VENDOR)}`);
    expect([frame.style.width, frame.style.height, frame.className]).toEqual(["100%", "600px", "benefits"]);
    fromWidget(frame, "enrollmentSubmitted", { plan_kind: "medical", election_id: "bel_1", waived: false });
    fromWidget(frame, "error", { code: "window_closed", message: "closed" });
    fromWidget(frame, "authError", { code: "user_binding_required", message: "employee only" });
    expect(onEnrollmentSubmitted).toHaveBeenCalledWith({ plan_kind: "medical", election_id: "bel_1", waived: false });
    expect(onError).toHaveBeenCalledWith("window_closed", "closed");
    expect(onAuthError).toHaveBeenCalledWith("user_binding_required", "employee only");
    render(app({}, createElement(EmployeeViewWidget, { width: 480, height: "70vh", style: { borderRadius: 8 } })));
    expect([frame.style.width, frame.style.height, frame.style.borderRadius]).toEqual(["480px", "70vh", "8px"]);
  });

  test("EmployeeViewWidget passes the appointment events to onAppointmentBooked, onAppointmentRescheduled and onAppointmentCancelled", () => {
    const onAppointmentBooked = vi.fn();
    const onAppointmentRescheduled = vi.fn();
    const onAppointmentCancelled = vi.fn();
    render(app({}, createElement(EmployeeViewWidget, { onAppointmentBooked, onAppointmentRescheduled, onAppointmentCancelled })));
    const [frame] = frames(container);
    const booked = { appointment_id: "apm_1", type: "apt_1", type_name: "Benefits advisor call", start: "2026-03-10T14:00:00Z", end: "2026-03-10T14:30:00Z" };
    const moved = { ...booked, start: "2026-03-11T14:00:00Z", end: "2026-03-11T14:30:00Z", previous_start: booked.start };
    fromWidget(frame, "appointmentBooked", booked);
    fromWidget(frame, "appointmentRescheduled", moved);
    fromWidget(frame, "appointmentCancelled", { ...booked, start: moved.start, end: moved.end });
    expect(onAppointmentBooked).toHaveBeenCalledExactlyOnceWith(booked);
    expect(onAppointmentRescheduled).toHaveBeenCalledExactlyOnceWith(moved);
    expect(onAppointmentCancelled).toHaveBeenCalledExactlyOnceWith({ ...booked, start: moved.start, end: moved.end });
  });

  test("outside <OrielProvider> a widget throws", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => render(connections())).toThrow(/OrielProvider/);
  });
});

describe("provider", () => {
  test("one token for all its widgets; a new fetchToken function on each render makes no new fetch", async () => {
    const calls: string[] = [];
    const fetcher = (label: string) => async () => {
      calls.push(label);
      return { token: label, expiresIn: 900 };
    };
    render(app({ fetchToken: fetcher("first") }, connections(), connections()));
    await act(settle);
    render(app({ fetchToken: fetcher("second") }, connections(), connections()));
    await act(settle);
    expect(calls).toEqual(["first"]);
    const [a, b] = frames(container);
    fromWidget(a, "ready");
    fromWidget(b, "ready");
    expect(tokensSent(a)).toEqual(["first"]);
    expect(tokensSent(b)).toEqual(["first"]);
    // The refresh uses the fetchToken of the latest render.
    await act(() => vi.advanceTimersByTimeAsync(780_000));
    expect(calls).toEqual(["first", "second"]);
    expect(tokensSent(a)).toEqual(["first", "second"]);
  });

  test("onError is the latest prop, and receives token_fetch_failed", async () => {
    const stale = vi.fn();
    const onError = vi.fn();
    const fetchToken = vi.fn().mockRejectedValue(new Error("down"));
    render(app({ fetchToken, onError: stale }, connections()));
    render(app({ fetchToken, onError }, connections()));
    await act(() => vi.advanceTimersByTimeAsync(7000));
    expect(fetchToken).toHaveBeenCalledTimes(4);
    expect(stale).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledWith("token_fetch_failed", "fetchToken failed: down");
  });

  test("a new contextKey reloads the widgets in fresh iframes with a new token", async () => {
    const fetchToken = tokenSource();
    render(app({ fetchToken, contextKey: "alice" }, connections()));
    await act(settle);
    const [before] = frames(container);
    fromWidget(before, "ready");
    render(app({ fetchToken, contextKey: "bob" }, connections()));
    await act(settle);
    const [after] = frames(container);
    expect(after).not.toBe(before);
    expect(frames(container)).toHaveLength(1);
    fromWidget(after, "ready");
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(tokensSent(before)).toEqual(["t1"]);
    expect(tokensSent(after)).toEqual(["t2"]);
    render(app({ fetchToken, contextKey: "bob" }, connections()));
    await act(settle);
    expect(frames(container)).toEqual([after]);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  test("a new baseUrl mounts the widgets on a new instance", async () => {
    const fetchToken = tokenSource();
    render(app({ fetchToken }, connections()));
    await act(settle);
    render(app({ fetchToken, baseUrl: "https://eu.oriel.example" }, connections()));
    await act(settle);
    const [frame] = frames(container);
    expect(frames(container)).toHaveLength(1);
    expect(frame.src.startsWith("https://eu.oriel.example/widgets/connections?")).toBe(true);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(listeners.size).toBe(1);
  });

  test("the same allowedOrigins in a new array is no new instance", async () => {
    const fetchToken = tokenSource();
    render(app({ fetchToken, allowedOrigins: [ORIEL] }, connections()));
    await act(settle);
    const [frame] = frames(container);
    render(app({ fetchToken, allowedOrigins: [ORIEL] }, connections()));
    await act(settle);
    expect(frames(container)).toEqual([frame]);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  test("unmounting leaves no listener, timer or iframe", async () => {
    render(app({}, connections(), connections()));
    await act(settle);
    expect(listeners.size).toBe(2);
    expect(vi.getTimerCount()).toBe(1);
    act(() => root.unmount());
    expect(listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(frames(container)).toEqual([]);
    root = createRoot(container); // for afterEach
  });
});

describe("StrictMode", () => {
  test("its double mount leaves one iframe, one listener, one fetch, and a working widget", async () => {
    const fetchToken = tokenSource();
    const onReady = vi.fn();
    render(createElement(StrictMode, null, app({ fetchToken }, connections({ onReady }))));
    await act(settle);
    expect(frames(container)).toHaveLength(1);
    expect(listeners.size).toBe(1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);

    const [frame] = frames(container);
    fromWidget(frame, "ready");
    expect(tokensSent(frame)).toEqual(["t1"]);
    fromWidget(frame, "tokenAck");
    expect(onReady).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(780_000));
    expect(tokensSent(frame)).toEqual(["t1", "t2"]);

    act(() => root.unmount());
    expect(listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    root = createRoot(container);
  });

  test("switching contextKey under StrictMode works the same", async () => {
    const fetchToken = tokenSource();
    render(createElement(StrictMode, null, app({ fetchToken, contextKey: "a" }, connections())));
    await act(settle);
    render(createElement(StrictMode, null, app({ fetchToken, contextKey: "b" }, connections())));
    await act(settle);
    expect(frames(container)).toHaveLength(1);
    expect(listeners.size).toBe(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    const [frame] = frames(container);
    fromWidget(frame, "ready");
    expect(tokensSent(frame)).toEqual(["t2"]);
  });
});
