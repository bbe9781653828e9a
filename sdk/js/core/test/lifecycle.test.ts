// The token lifecycle, rule by rule (docs/protocol.md, "Token lifecycle").
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { createOriel, type Oriel } from "../src/index";
import { ORIEL, frames, fromWidget, sent, sentTypes, settle, tokenSource, tokensSent } from "../../test/bridge";

let host: HTMLElement;
let oriel: Oriel | undefined;

beforeEach(() => {
  vi.useFakeTimers();
  host = document.body.appendChild(document.createElement("div"));
});

afterEach(() => {
  oriel?.destroy();
  oriel = undefined;
  host.remove();
  vi.useRealTimers();
});

function setup(fetchToken: () => Promise<{ token: string; expiresIn: number } | Response>, onError = vi.fn()) {
  oriel = createOriel({ baseUrl: ORIEL, fetchToken, onError });
  return { oriel, onError };
}

/** Mounts the connections widget and completes its handshake up to `ready`. */
function mountReady(o: Oriel, options: Partial<Parameters<Oriel["mount"]>[1]> = {}) {
  const element = host.appendChild(document.createElement("div"));
  const widget = o.mount(element, { widget: "connections", ...options } as Parameters<Oriel["mount"]>[1]);
  const [frame] = frames(element);
  fromWidget(frame, "ready");
  return { widget, frame, element };
}

describe("initial fetch", () => {
  test("fetchToken is called on the first mount, not before, and the token goes to the widget once it is ready", async () => {
    const fetchToken = tokenSource();
    const { oriel } = setup(fetchToken);
    await settle();
    expect(fetchToken).not.toHaveBeenCalled();

    const element = host.appendChild(document.createElement("div"));
    oriel.mount(element, { widget: "connections" });
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await settle();
    const [frame] = frames(element);
    expect(sent(frame)).toEqual([]); // nothing is posted before the widget says ready

    fromWidget(frame, "ready");
    expect(sent(frame)).toEqual([{ type: "token", payload: { token: "t1", expiresIn: 900 }, targetOrigin: ORIEL }]);
  });

  test("a widget that is ready before the token arrives gets it when it arrives", async () => {
    let resolve!: (t: { token: string; expiresIn: number }) => void;
    const fetchToken = vi.fn(() => new Promise<{ token: string; expiresIn: number }>((r) => (resolve = r)));
    const { oriel } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    expect(sent(frame)).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    resolve({ token: "late", expiresIn: 600 });
    await settle();
    expect(sent(frame)).toEqual([{ type: "token", payload: { token: "late", expiresIn: 600 }, targetOrigin: ORIEL }]);
  });

  test("expiresIn sent to a widget is what is left of the token's lifetime", async () => {
    const { oriel } = setup(tokenSource(900));
    mountReady(oriel);
    await vi.advanceTimersByTimeAsync(100_500);
    const { frame } = mountReady(oriel);
    expect(sent(frame)).toEqual([{ type: "token", payload: { token: "t1", expiresIn: 799 }, targetOrigin: ORIEL }]);
  });

  test("onReady fires on the first tokenAck only", async () => {
    const onReady = vi.fn();
    const { oriel } = setup(tokenSource());
    const { frame } = mountReady(oriel, { onReady });
    fromWidget(frame, "tokenAck"); // before any token: not an acknowledgement of anything
    expect(onReady).not.toHaveBeenCalled();
    await settle();
    expect(onReady).not.toHaveBeenCalled();
    fromWidget(frame, "tokenAck");
    expect(onReady).toHaveBeenCalledTimes(1);
    fromWidget(frame, "tokenAck");
    await vi.advanceTimersByTimeAsync(780_000);
    fromWidget(frame, "tokenAck");
    expect(onReady).toHaveBeenCalledTimes(1);
  });
});

describe("refresh", () => {
  test("a token is refreshed 2 minutes before it expires, and the new one pushed as tokenUpdate", async () => {
    const fetchToken = tokenSource(900);
    const { oriel } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await settle();
    fromWidget(frame, "tokenAck");

    await vi.advanceTimersByTimeAsync(780_000 - 1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(sent(frame).at(-1)).toEqual({ type: "tokenUpdate", payload: { token: "t2", expiresIn: 900 }, targetOrigin: ORIEL });

    // and so on, timed from each new token
    await vi.advanceTimersByTimeAsync(780_000);
    expect(fetchToken).toHaveBeenCalledTimes(3);
    expect(tokensSent(frame)).toEqual(["t1", "t2", "t3"]);
    expect(sentTypes(frame)).toEqual(["token", "tokenUpdate", "tokenUpdate"]);
  });

  test.each([
    [60, 30_000],
    [140, 30_000],
    [150, 30_000],
    [151, 31_000],
    [200, 80_000],
    [10, 30_000],
  ])("a token that lives %i s is refreshed after %i ms: 2 minutes early, but never sooner than 30 s after the fetch", async (expiresIn, refreshAfter) => {
    const fetchToken = tokenSource(expiresIn);
    const { oriel } = setup(fetchToken);
    mountReady(oriel);
    await settle();
    await vi.advanceTimersByTimeAsync(refreshAfter - 1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  test("the refresh is timed from when the token arrived, not from when it was asked for", async () => {
    const fetchToken = vi.fn(
      () => new Promise<{ token: string; expiresIn: number }>((resolve) => setTimeout(() => resolve({ token: "slow", expiresIn: 600 }), 3000)),
    );
    const { oriel } = setup(fetchToken);
    mountReady(oriel);
    await vi.advanceTimersByTimeAsync(3000 + 480_000 - 1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  test("a lifetime beyond what setTimeout can hold does not refresh at once", async () => {
    const fetchToken = tokenSource(10 * 365 * 86_400);
    const { oriel } = setup(fetchToken);
    mountReady(oriel);
    await settle();
    await vi.advanceTimersByTimeAsync(86_400_000);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });
});

describe("retries", () => {
  test("a failed fetch is retried after 1 s, 2 s and 4 s, then onError(token_fetch_failed) and nothing more", async () => {
    const fetchToken = vi.fn(async () => {
      throw new Error("backend said 502");
    });
    const onWidgetError = vi.fn();
    const { oriel, onError } = setup(fetchToken);
    const { frame } = mountReady(oriel, { onError: onWidgetError });
    await settle();
    expect(fetchToken).toHaveBeenCalledTimes(1);
    for (const [delay, calls] of [
      [1000, 2],
      [2000, 3],
      [4000, 4],
    ]) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(fetchToken).toHaveBeenCalledTimes(calls - 1);
      expect(onError).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(fetchToken).toHaveBeenCalledTimes(calls);
    }
    expect(onError).toHaveBeenCalledExactlyOnceWith("token_fetch_failed", "fetchToken failed: backend said 502");
    expect(onWidgetError).toHaveBeenCalledExactlyOnceWith("token_fetch_failed", "fetchToken failed: backend said 502");
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(fetchToken).toHaveBeenCalledTimes(4);
    expect(sent(frame)).toEqual([]);
  });

  test("after giving up, the next widget load tries again", async () => {
    const fetchToken = vi.fn().mockRejectedValue(new Error("down"));
    const { oriel, onError } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await vi.advanceTimersByTimeAsync(7000);
    expect(onError).toHaveBeenCalledTimes(1);
    fetchToken.mockResolvedValue({ token: "back", expiresIn: 900 });
    fromWidget(frame, "ready");
    await settle();
    expect(fetchToken).toHaveBeenCalledTimes(5);
    expect(tokensSent(frame)).toEqual(["back"]);
  });

  test("a fetch that succeeds on a retry delivers its token, and the next failure starts again at 1 s", async () => {
    const fetchToken = vi
      .fn()
      .mockRejectedValueOnce(new Error("1"))
      .mockRejectedValueOnce(new Error("2"))
      .mockResolvedValueOnce({ token: "third time", expiresIn: 900 })
      .mockRejectedValueOnce(new Error("refresh failed"))
      .mockResolvedValueOnce({ token: "refreshed", expiresIn: 900 });
    const { oriel, onError } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await vi.advanceTimersByTimeAsync(3000);
    expect(tokensSent(frame)).toEqual(["third time"]);
    await vi.advanceTimersByTimeAsync(780_000);
    expect(fetchToken).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(999);
    expect(fetchToken).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(5);
    expect(tokensSent(frame)).toEqual(["third time", "refreshed"]);
    expect(onError).not.toHaveBeenCalled();
  });

  test("while a refresh is retried the widget keeps its token; nothing else is sent", async () => {
    const fetchToken = vi.fn().mockResolvedValueOnce({ token: "t1", expiresIn: 900 }).mockRejectedValue("no");
    const { oriel, onError } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await vi.advanceTimersByTimeAsync(780_000 + 7000);
    expect(fetchToken).toHaveBeenCalledTimes(5);
    expect(tokensSent(frame)).toEqual(["t1"]);
    expect(onError).toHaveBeenCalledExactlyOnceWith("token_fetch_failed", "fetchToken failed: no");
  });

  test.each([
    ["no token", { expiresIn: 900 }],
    ["an empty token", { token: "", expiresIn: 900 }],
    ["a token that is not a string", { token: 42, expiresIn: 900 }],
    ["no expiresIn", { token: "t" }],
    ["expiresIn as a string", { token: "t", expiresIn: "900" }],
    ["a zero expiresIn", { token: "t", expiresIn: 0 }],
    ["an infinite expiresIn", { token: "t", expiresIn: Infinity }],
    ["NaN", { token: "t", expiresIn: NaN }],
    ["null", null],
  ])("fetchToken resolving to %s counts as a failure", async (_, value) => {
    const fetchToken = vi.fn().mockResolvedValue(value);
    const { oriel, onError } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await vi.advanceTimersByTimeAsync(7000);
    expect(fetchToken).toHaveBeenCalledTimes(4);
    expect(onError).toHaveBeenCalledExactlyOnceWith("token_fetch_failed", "fetchToken failed: fetchToken must resolve to { token, expiresIn }");
    expect(sent(frame)).toEqual([]);
  });

  test("a fetchToken that throws synchronously is a failed fetch, not an exception of mount", async () => {
    const fetchToken = vi.fn(() => {
      throw new Error("sync");
    });
    const { oriel } = setup(fetchToken as never);
    expect(() => mountReady(oriel)).not.toThrow();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});

describe("fetchToken resolving to the token endpoint's Response", () => {
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

  test("a 2xx answer is read as the token", async () => {
    const { oriel, onError } = setup(async () => json(200, { token: "oat_1", expiresIn: 900 }));
    const { frame } = mountReady(oriel);
    await settle();
    await settle();
    expect(tokensSent(frame)).toEqual(["oat_1"]);
    expect(onError).not.toHaveBeenCalled();
  });

  test("a 4xx answer reaches onError at once with its status, code and message, and is not retried", async () => {
    const fetchToken = vi.fn(async () => json(403, { code: "csrf_rejected", message: "send Content-Type: application/json (or an X-Requested-With header)" }));
    const onWidgetError = vi.fn();
    const { oriel, onError } = setup(fetchToken);
    const { frame } = mountReady(oriel, { onError: onWidgetError });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    const endpoint = { status: 403, code: "csrf_rejected", message: "send Content-Type: application/json (or an X-Requested-With header)" };
    const message = "fetchToken failed: the token endpoint answered 403 csrf_rejected send Content-Type: application/json (or an X-Requested-With header)";
    expect(onError).toHaveBeenCalledExactlyOnceWith("token_fetch_failed", message, endpoint);
    expect(onWidgetError).toHaveBeenCalledExactlyOnceWith("token_fetch_failed", message, endpoint);
    expect(sent(frame)).toEqual([]);
  });

  test.each([
    [502, { code: "token_request_failed", message: "Oriel refused" }, { status: 502, code: "token_request_failed", message: "Oriel refused" }],
    [429, { error: "rate_limited", error_description: "slow down" }, { status: 429, code: "rate_limited", message: "slow down" }],
    [500, "not json", { status: 500, code: undefined, message: undefined }],
  ])("a %i answer is retried like any failure, then reported with what it said", async (status, body, endpoint) => {
    const fetchToken = vi.fn(async () => (typeof body == "string" ? new Response(body, { status }) : json(status, body)));
    const { oriel, onError } = setup(fetchToken);
    mountReady(oriel);
    await vi.advanceTimersByTimeAsync(7001);
    expect(fetchToken).toHaveBeenCalledTimes(4);
    expect(onError).toHaveBeenCalledOnce();
    const [code, message, detail] = onError.mock.calls[0];
    expect(code).toBe("token_fetch_failed");
    expect(message).toContain("the token endpoint answered " + status);
    expect(detail).toEqual(endpoint);
  });
});

describe("one token for every widget", () => {
  test("two widgets share one fetch and every new token is pushed to both", async () => {
    const fetchToken = tokenSource(900);
    const { oriel } = setup(fetchToken);
    const a = mountReady(oriel);
    const b = mountReady(oriel, { widget: "connection", connectionId: "conn_1" });
    await settle();
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(tokensSent(a.frame)).toEqual(["t1"]);
    expect(tokensSent(b.frame)).toEqual(["t1"]);

    await vi.advanceTimersByTimeAsync(780_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(sentTypes(a.frame)).toEqual(["token", "tokenUpdate"]);
    expect(sentTypes(b.frame)).toEqual(["token", "tokenUpdate"]);
    expect(tokensSent(b.frame)).toEqual(["t1", "t2"]);
  });

  test("a widget mounted later gets the current token without a new fetch", async () => {
    const fetchToken = tokenSource(900);
    const { oriel } = setup(fetchToken);
    mountReady(oriel);
    await vi.advanceTimersByTimeAsync(60_000);
    const late = mountReady(oriel);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(tokensSent(late.frame)).toEqual(["t1"]);
  });

  test("two instances do not share tokens", async () => {
    const first = tokenSource();
    const second = vi.fn(async () => ({ token: "other", expiresIn: 900 }));
    const { oriel } = setup(first);
    const other = createOriel({ baseUrl: ORIEL, fetchToken: second });
    const a = mountReady(oriel);
    const b = mountReady(other);
    await settle();
    expect(tokensSent(a.frame)).toEqual(["t1"]);
    expect(tokensSent(b.frame)).toEqual(["other"]);
    other.destroy();
  });
});

describe("contextKey", () => {
  test("a new key discards the token, reloads every widget in a fresh iframe, and fetches anew", async () => {
    const fetchToken = tokenSource();
    oriel = createOriel({ baseUrl: ORIEL, fetchToken, contextKey: "alice" });
    const a = mountReady(oriel);
    const b = mountReady(oriel);
    await settle();
    fromWidget(a.frame, "tokenAck");

    oriel.setContextKey("bob");
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(a.frame.isConnected).toBe(false);
    expect(b.frame.isConnected).toBe(false);
    const [a2] = frames(a.element);
    const [b2] = frames(b.element);
    expect(a2).not.toBe(a.frame);
    expect(a2.src).toBe(a.frame.src);

    // The old pages can no longer talk to the host, and get nothing more.
    fromWidget(a.frame, "ready");
    await settle();
    expect(tokensSent(a.frame)).toEqual(["t1"]);
    expect(tokensSent(a2)).toEqual([]);

    fromWidget(a2, "ready");
    fromWidget(b2, "ready");
    expect(tokensSent(a2)).toEqual(["t2"]);
    expect(tokensSent(b2)).toEqual(["t2"]);
    expect(sentTypes(a2)).toEqual(["token"]);
  });

  test("the token of a fetch begun for the previous key is never used", async () => {
    const resolvers: Array<(t: { token: string; expiresIn: number }) => void> = [];
    const fetchToken = vi.fn(() => new Promise<{ token: string; expiresIn: number }>((r) => resolvers.push(r)));
    oriel = createOriel({ baseUrl: ORIEL, fetchToken, contextKey: "alice" });
    const { element } = mountReady(oriel);
    oriel.setContextKey("bob");
    const [frame] = frames(element);
    fromWidget(frame, "ready");
    resolvers[0]({ token: "alice's", expiresIn: 900 });
    await settle();
    expect(sent(frame)).toEqual([]);
    resolvers[1]({ token: "bob's", expiresIn: 900 });
    await settle();
    expect(tokensSent(frame)).toEqual(["bob's"]);
  });

  test("a pending retry of the previous key is cancelled", async () => {
    const fetchToken = vi.fn().mockRejectedValueOnce(new Error("x")).mockResolvedValue({ token: "bob's", expiresIn: 900 });
    const { oriel, onError } = setup(fetchToken);
    const { element } = mountReady(oriel);
    await settle();
    oriel.setContextKey("bob");
    const [frame] = frames(element);
    fromWidget(frame, "ready");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(tokensSent(frame)).toEqual(["bob's"]);
    expect(onError).not.toHaveBeenCalled();
  });

  test("the same key changes nothing", async () => {
    const fetchToken = tokenSource();
    oriel = createOriel({ baseUrl: ORIEL, fetchToken, contextKey: "alice" });
    const { frame } = mountReady(oriel);
    await settle();
    oriel.setContextKey("alice");
    expect(frame.isConnected).toBe(true);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  test("with no widget mounted, a new key only forgets the token; the next mount fetches", async () => {
    const fetchToken = tokenSource();
    const { oriel } = setup(fetchToken);
    const { widget } = mountReady(oriel);
    await settle();
    widget.destroy();
    oriel.setContextKey("bob");
    expect(fetchToken).toHaveBeenCalledTimes(1);
    const { frame } = mountReady(oriel);
    await settle();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(tokensSent(frame)).toEqual(["t2"]);
  });
});

describe("tokenExpired", () => {
  test("calls onTokenExpired, fetches at once and pushes the new token to every widget", async () => {
    const fetchToken = tokenSource();
    const onTokenExpired = vi.fn();
    const { oriel } = setup(fetchToken);
    const a = mountReady(oriel, { onTokenExpired });
    const b = mountReady(oriel);
    await settle();
    fromWidget(a.frame, "tokenAck");
    fromWidget(b.frame, "tokenAck");
    await vi.advanceTimersByTimeAsync(60_000);

    fromWidget(a.frame, "tokenExpired");
    expect(onTokenExpired).toHaveBeenCalledTimes(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    fromWidget(b.frame, "tokenExpired"); // while the fetch is under way: no second fetch
    await settle();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(tokensSent(a.frame)).toEqual(["t1", "t2"]);
    expect(tokensSent(b.frame)).toEqual(["t1", "t2"]);

    // The next refresh is timed from the new token.
    await vi.advanceTimersByTimeAsync(780_000 - 1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(3);
  });

  test("the first token reported expired before its tokenAck is replaced too", async () => {
    const fetchToken = tokenSource();
    const { oriel } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await settle();
    fromWidget(frame, "tokenExpired");
    await settle();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(sentTypes(frame)).toEqual(["token", "tokenUpdate"]);
  });

  test("a report from a widget that was sent no token fetches nothing", async () => {
    const fetchToken = tokenSource();
    const onTokenExpired = vi.fn();
    const { oriel } = setup(fetchToken);
    const element = host.appendChild(document.createElement("div"));
    oriel.mount(element, { widget: "connections", onTokenExpired });
    await settle();
    fromWidget(frames(element)[0], "tokenExpired"); // it never said ready
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(onTokenExpired).toHaveBeenCalledTimes(1);
  });

  test("a report sent before the widget acknowledged its newer token does not fetch again", async () => {
    const fetchToken = tokenSource();
    const onTokenExpired = vi.fn();
    const { oriel } = setup(fetchToken);
    const a = mountReady(oriel, { onTokenExpired });
    const b = mountReady(oriel);
    await settle();
    fromWidget(a.frame, "tokenAck");
    fromWidget(b.frame, "tokenAck");
    fromWidget(a.frame, "tokenExpired");
    await settle(); // t2 is pushed to both
    fromWidget(a.frame, "tokenAck");
    fromWidget(b.frame, "tokenExpired"); // b reported t1, before it saw t2
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(tokensSent(a.frame)).toEqual(["t1", "t2"]);
  });

  test("a token that expires as soon as it comes is not replaced sooner than 30 s after it came", async () => {
    const fetchToken = tokenSource();
    const onTokenExpired = vi.fn();
    const { oriel } = setup(fetchToken);
    const { frame } = mountReady(oriel, { onTokenExpired });
    await settle();
    fromWidget(frame, "tokenAck");
    fromWidget(frame, "tokenExpired"); // t1 expired: fetch t2 at once
    await settle();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(5000);
    fromWidget(frame, "tokenAck");
    fromWidget(frame, "tokenExpired"); // t2, fetched because t1 expired, expired too
    await vi.advanceTimersByTimeAsync(25_000 - 1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(3);
    expect(tokensSent(frame)).toEqual(["t1", "t2", "t3"]);
    expect(onTokenExpired).toHaveBeenCalledTimes(2);
  });

  test("after a regular refresh, an expiry is answered at once again", async () => {
    const fetchToken = tokenSource(900);
    const { oriel } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await settle();
    fromWidget(frame, "tokenAck");
    fromWidget(frame, "tokenExpired");
    await settle();
    fromWidget(frame, "tokenAck");
    await vi.advanceTimersByTimeAsync(780_000);
    expect(fetchToken).toHaveBeenCalledTimes(3);
    fromWidget(frame, "tokenAck");
    fromWidget(frame, "tokenExpired");
    expect(fetchToken).toHaveBeenCalledTimes(4);
  });

  test("while a failed fetch waits for its retry, the retry is what recovers", async () => {
    const fetchToken = vi
      .fn()
      .mockResolvedValueOnce({ token: "t1", expiresIn: 900 })
      .mockRejectedValueOnce(new Error("x"))
      .mockResolvedValue({ token: "t2", expiresIn: 900 });
    const { oriel } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await settle();
    fromWidget(frame, "tokenAck");
    await vi.advanceTimersByTimeAsync(780_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    fromWidget(frame, "tokenExpired");
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetchToken).toHaveBeenCalledTimes(3);
    expect(tokensSent(frame)).toEqual(["t1", "t2"]);
  });

  test("a widget that loads after an expiry is not handed the expired token", async () => {
    let resolve!: (t: { token: string; expiresIn: number }) => void;
    const fetchToken = vi
      .fn()
      .mockResolvedValueOnce({ token: "t1", expiresIn: 900 })
      .mockImplementationOnce(() => new Promise((r) => (resolve = r)));
    const { oriel } = setup(fetchToken);
    const { frame } = mountReady(oriel);
    await settle();
    fromWidget(frame, "tokenAck");
    fromWidget(frame, "tokenExpired");
    const late = mountReady(oriel);
    expect(sent(late.frame)).toEqual([]);
    resolve({ token: "t2", expiresIn: 900 });
    await settle();
    expect(tokensSent(late.frame)).toEqual(["t2"]);
  });
});
