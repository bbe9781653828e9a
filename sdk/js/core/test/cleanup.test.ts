// destroy and unmount leave no listener, timer, iframe or late token behind.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { createOriel, type Oriel } from "../src/index";
import { ORIEL, frames, fromWidget, sent, settle, tokenSource } from "../../test/bridge";

let host: HTMLElement;
let listeners: Set<unknown>;

beforeEach(() => {
  vi.useFakeTimers();
  host = document.body.appendChild(document.createElement("div"));
  listeners = new Set();
  const add = window.addEventListener.bind(window);
  const remove = window.removeEventListener.bind(window);
  vi.spyOn(window, "addEventListener").mockImplementation((type, listener, options) => {
    listeners.add(listener);
    add(type, listener, options);
  });
  vi.spyOn(window, "removeEventListener").mockImplementation((type, listener, options) => {
    listeners.delete(listener);
    remove(type, listener, options);
  });
});

afterEach(() => {
  host.remove();
  vi.useRealTimers();
});

function mountReady(oriel: Oriel) {
  const element = host.appendChild(document.createElement("div"));
  const widget = oriel.mount(element, { widget: "connections" });
  const [frame] = frames(element);
  fromWidget(frame, "ready");
  return { widget, frame, element };
}

describe("destroying a widget", () => {
  test("removes its iframe and its message listener", async () => {
    const oriel = createOriel({ baseUrl: ORIEL, fetchToken: tokenSource() });
    const a = mountReady(oriel);
    const b = mountReady(oriel);
    expect(window.addEventListener).toHaveBeenCalledTimes(2);
    expect(listeners.size).toBe(2);
    a.widget.destroy();
    expect(listeners.size).toBe(1);
    expect(frames(a.element)).toEqual([]);
    a.widget.destroy(); // twice is fine
    b.widget.destroy();
    expect(listeners.size).toBe(0);
    expect(window.removeEventListener).toHaveBeenCalledTimes(2);
  });

  test("the last one stops the refresh timer; a later mount reuses a fresh token, or fetches one when it is due", async () => {
    const fetchToken = tokenSource(900);
    const oriel = createOriel({ baseUrl: ORIEL, fetchToken });
    const first = mountReady(oriel);
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    first.widget.destroy();
    expect(vi.getTimerCount()).toBe(0);

    await vi.advanceTimersByTimeAsync(60_000);
    const second = mountReady(oriel);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(sent(second.frame).map((m) => (m.payload as { expiresIn: number }).expiresIn)).toEqual([840]);
    await vi.advanceTimersByTimeAsync(720_000); // still 780 s after the fetch
    expect(fetchToken).toHaveBeenCalledTimes(2);
    second.widget.destroy();

    await vi.advanceTimersByTimeAsync(800_000);
    mountReady(oriel);
    expect(fetchToken).toHaveBeenCalledTimes(3);
    oriel.destroy();
  });

  test("the last one abandons retries; the fetch under way may finish but starts nothing", async () => {
    let reject!: (e: Error) => void;
    const fetchToken = vi
      .fn()
      .mockRejectedValueOnce(new Error("1"))
      .mockImplementationOnce(() => new Promise((_, r) => (reject = r)));
    const onError = vi.fn();
    const oriel = createOriel({ baseUrl: ORIEL, fetchToken, onError });
    const { widget } = mountReady(oriel);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    widget.destroy();
    reject(new Error("2"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
    expect(onError).not.toHaveBeenCalled();
  });
});

describe("destroying the instance", () => {
  test("removes every widget, listener and timer, and a token that arrives later goes nowhere", async () => {
    let resolve!: (t: { token: string; expiresIn: number }) => void;
    const fetchToken = vi
      .fn()
      .mockResolvedValueOnce({ token: "t1", expiresIn: 900 })
      .mockImplementationOnce(() => new Promise((r) => (resolve = r)));
    const oriel = createOriel({ baseUrl: ORIEL, fetchToken });
    const a = mountReady(oriel);
    const b = mountReady(oriel);
    await settle();
    fromWidget(a.frame, "tokenAck");
    fromWidget(a.frame, "tokenExpired"); // a fetch is under way
    expect(fetchToken).toHaveBeenCalledTimes(2);

    oriel.destroy();
    expect(listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(frames(host)).toEqual([]);
    resolve({ token: "late", expiresIn: 900 });
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(sent(a.frame).map((m) => m.type)).toEqual(["token"]);
    expect(sent(b.frame).map((m) => m.type)).toEqual(["token"]);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("forgets the token: mounting again fetches a new one", async () => {
    const fetchToken = tokenSource();
    const oriel = createOriel({ baseUrl: ORIEL, fetchToken });
    mountReady(oriel);
    await settle();
    oriel.destroy();
    const { frame } = mountReady(oriel);
    await settle();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(sent(frame).map((m) => (m.payload as { token: string }).token)).toEqual(["t2"]);
    oriel.destroy();
    expect(listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("leaves nothing behind in every state: waiting for a refresh, for the 30 s floor after an expiry, for a retry", async () => {
    const states: Array<(oriel: Oriel) => Promise<void>> = [
      async () => {
        await settle();
      },
      async (oriel) => {
        const { frame } = mountReady(oriel);
        await settle();
        fromWidget(frame, "tokenAck");
        fromWidget(frame, "tokenExpired");
        await settle();
        fromWidget(frame, "tokenAck");
        fromWidget(frame, "tokenExpired");
      },
    ];
    for (const reach of states) {
      const oriel = createOriel({ baseUrl: ORIEL, fetchToken: tokenSource() });
      mountReady(oriel);
      await reach(oriel);
      expect(vi.getTimerCount()).toBe(1);
      oriel.destroy();
      expect(vi.getTimerCount()).toBe(0);
      expect(listeners.size).toBe(0);
    }
    const failing = createOriel({ baseUrl: ORIEL, fetchToken: vi.fn().mockRejectedValue(new Error("x")) });
    mountReady(failing);
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    failing.destroy();
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners.size).toBe(0);
  });
});
