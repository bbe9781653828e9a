// happy-dom does not load cross-origin pages into iframes, so each iframe gets
// a stand-in window whose postMessage is a spy: tests read what the SDK sent
// to a widget from it, and post as the widget with a MessageEvent whose
// source is that window (test/bridge.ts).
import { PropertySymbol } from "happy-dom";
import { vi } from "vitest";

export interface StandInWindow {
  postMessage: ReturnType<typeof vi.fn>;
}

const windows = new WeakMap<HTMLIFrameElement, StandInWindow>();

/** The stand-in window of frame, also after it left the document. */
export function standIn(frame: HTMLIFrameElement): StandInWindow {
  let win = windows.get(frame);
  if (!win) windows.set(frame, (win = { postMessage: vi.fn() }));
  return win;
}

// As in browsers, an iframe outside the document has no window.
Object.defineProperty(HTMLIFrameElement.prototype, "contentWindow", {
  configurable: true,
  get(this: HTMLIFrameElement) {
    return this.isConnected ? standIn(this) : null;
  },
});

// Nor does it try to: an iframe joining the document skips happy-dom's page
// loading (which would only log that iframe loading is disabled).
const connected = PropertySymbol.connectedToDocument;
let loader: object = HTMLIFrameElement.prototype;
while (!Object.prototype.hasOwnProperty.call(loader, connected)) loader = Object.getPrototypeOf(loader);
const element = Object.getPrototypeOf(loader) as Record<symbol, () => void>;
Object.defineProperty(HTMLIFrameElement.prototype, connected, {
  configurable: true,
  value(this: HTMLIFrameElement) {
    element[connected].call(this);
  },
});
