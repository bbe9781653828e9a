// Helpers that play the widget's side of the bridge in tests.
import { vi } from "vitest";
import { standIn } from "./setup";

/** The origin of the Oriel server in tests. */
export const ORIEL = "https://oriel.example";
/** The host page's origin (vitest.config.ts sets happy-dom's URL). */
export const VENDOR = "https://vendor.example";

/** A message the SDK posted to a widget. */
export interface Sent {
  type: string;
  payload: unknown;
  targetOrigin: string;
}

/** Every message the SDK posted to the widget in frame, oldest first. */
export function sent(frame: HTMLIFrameElement): Sent[] {
  return standIn(frame).postMessage.mock.calls.map(([data, targetOrigin]) => {
    if (typeof data != "string") throw new Error("the SDK posted a non-string message");
    const { type, payload } = JSON.parse(data);
    return { type, payload, targetOrigin };
  });
}

/** The types of the messages sent to frame. */
export function sentTypes(frame: HTMLIFrameElement): string[] {
  return sent(frame).map((m) => m.type);
}

/** The tokens sent to frame, in `token` and `tokenUpdate` messages. */
export function tokensSent(frame: HTMLIFrameElement): string[] {
  return sent(frame)
    .filter((m) => m.type == "token" || m.type == "tokenUpdate")
    .map((m) => (m.payload as { token: string }).token);
}

/** Posts raw data to the host page, as if from source at origin. */
export function postRaw(data: unknown, origin: string, source: unknown): void {
  window.dispatchEvent(new MessageEvent("message", { data, origin, source: source as Window }));
}

/** Posts {type, payload} from the widget in frame, at ORIEL unless told. */
export function fromWidget(frame: HTMLIFrameElement, type: string, payload?: unknown, origin = ORIEL): void {
  postRaw(JSON.stringify({ type, payload }), origin, standIn(frame));
}

/** The iframes inside element. */
export function frames(element: Element = document.body): HTMLIFrameElement[] {
  return [...element.querySelectorAll("iframe")];
}

/** Lets pending promise callbacks run, without moving the fake clock. */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

/**
 * A fetchToken whose every call resolves to a new token ("t1", "t2", …)
 * with the given lifetime in seconds.
 */
export function tokenSource(expiresIn = 900) {
  let n = 0;
  return vi.fn(async () => ({ token: "t" + ++n, expiresIn }));
}
