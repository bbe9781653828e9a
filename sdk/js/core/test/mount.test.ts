// createOriel's checks, the iframe a mount makes, update, and appearance.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { createOriel, type MountOptions, type Oriel } from "../src/index";
import { ORIEL, VENDOR, frames, fromWidget, sent, settle, tokenSource } from "../../test/bridge";

let host: HTMLElement;
let oriel: Oriel;

beforeEach(() => {
  vi.useFakeTimers();
  host = document.body.appendChild(document.createElement("div"));
  oriel = createOriel({ baseUrl: ORIEL, fetchToken: tokenSource() });
});

afterEach(() => {
  oriel.destroy();
  host.remove();
  vi.useRealTimers();
});

function mount(options: MountOptions, instance = oriel) {
  const element = host.appendChild(document.createElement("div"));
  const widget = instance.mount(element, options);
  return { widget, element, frame: frames(element)[0] };
}

describe("createOriel", () => {
  test.each(["", "not a url", "/relative", "javascript:alert(1)", "data:text/html,x", "ftp://oriel.example"])(
    "refuses baseUrl %j",
    (baseUrl) => {
      expect(() => createOriel({ baseUrl, fetchToken: tokenSource() })).toThrow(TypeError);
    },
  );

  test("refuses an allowed origin that is not a URL", () => {
    expect(() => createOriel({ baseUrl: ORIEL, fetchToken: tokenSource(), allowedOrigins: ["oriel.example"] })).toThrow(TypeError);
    expect(() => createOriel({ baseUrl: ORIEL, fetchToken: tokenSource(), allowedOrigins: ["null"] })).toThrow(TypeError);
  });
});

describe("the iframe", () => {
  test("the connections widget loads /widgets/connections with the host page's origin", () => {
    const { frame, element } = mount({ widget: "connections" });
    expect(frames(element)).toHaveLength(1);
    expect(frame.src).toBe(`${ORIEL}/widgets/connections?parent_origin=${encodeURIComponent(VENDOR)}`);
    expect(frame.title).toBe("Oriel connections");
  });

  test("the connection widget loads /widgets/connection/{id}, the id URL-encoded", () => {
    const { frame } = mount({ widget: "connection", connectionId: "conn/../1?x=#y" });
    expect(frame.src).toBe(`${ORIEL}/widgets/connection/conn%2F..%2F1%3Fx%3D%23y?parent_origin=https%3A%2F%2Fvendor.example`);
  });

  test("a baseUrl with a path keeps it; its query, fragment and trailing slashes do not matter", () => {
    const prefixed = createOriel({ baseUrl: "https://example.com/oriel//?x=1#f", fetchToken: tokenSource() });
    const { frame } = mount({ widget: "connections" }, prefixed);
    expect(frame.src).toBe(`https://example.com/oriel/widgets/connections?parent_origin=${encodeURIComponent(VENDOR)}`);
    prefixed.destroy();
  });

  test("the connection widget without a connectionId, or an unknown widget, throws and mounts nothing", () => {
    const element = host.appendChild(document.createElement("div"));
    expect(() => oriel.mount(element, { widget: "connection" } as MountOptions)).toThrow(/connectionId/);
    expect(() => oriel.mount(element, { widget: "connection", connectionId: "" })).toThrow(/connectionId/);
    for (const widget of ["dashboard", "toString", "__proto__", "constructor"]) {
      expect(() => oriel.mount(element, { widget } as unknown as MountOptions)).toThrow(/unknown widget/);
    }
    expect(frames(element)).toEqual([]);
  });

  test("is 100% wide and 600px high by default, without a border", () => {
    const { frame } = mount({ widget: "connections" });
    expect(frame.style.width).toBe("100%");
    expect(frame.style.height).toBe("600px");
    expect(frame.style.borderWidth).toMatch(/^0(px)?$/);
    expect(frame.style.display).toBe("block");
  });

  test("width and height take CSS lengths, and numbers as pixels", () => {
    expect(mount({ widget: "connections", width: 480, height: "50vh" }).frame.style.cssText).toContain("width: 480px");
    const { frame } = mount({ widget: "connections", width: "30em", height: 320 });
    expect(frame.style.width).toBe("30em");
    expect(frame.style.height).toBe("320px");
  });

  test("with autoResize, height is only the height until the widget reports its own", () => {
    const unset = mount({ widget: "connections", autoResize: true });
    expect(unset.frame.style.height).toBe("");
    const initial = mount({ widget: "connections", autoResize: true, height: 240 });
    expect(initial.frame.style.height).toBe("240px");
    fromWidget(initial.frame, "heightChange", { height: 512 });
    expect(initial.frame.style.height).toBe("512px");
  });

  test("className and style go on the iframe, style last", () => {
    const { frame } = mount({
      widget: "connections",
      className: "widget framed",
      style: { borderRadius: "8px", "box-shadow": "none", "--accent": "red", height: "10px", opacity: 0.5, zIndex: 3, nothing: undefined },
    });
    expect(frame.className).toBe("widget framed");
    expect(frame.style.borderRadius).toBe("8px");
    expect(frame.style.getPropertyValue("box-shadow")).toBe("none");
    expect(frame.style.getPropertyValue("--accent")).toBe("red");
    expect(frame.style.height).toBe("10px");
    expect(frame.style.opacity).toBe("0.5");
    expect(frame.style.zIndex).toBe("3");
  });

  test("a number that is no valid value on its own gets px, as in React", () => {
    const { frame } = mount({ widget: "connections", style: { borderRadius: 8, marginTop: 0, "padding-left": 4, width: 300, "--gap": 2 } });
    expect(frame.style.borderRadius).toBe("8px");
    expect(frame.style.marginTop).toMatch(/^0(px)?$/);
    expect(frame.style.getPropertyValue("padding-left")).toBe("4px");
    expect(frame.style.width).toBe("300px");
    expect(frame.style.getPropertyValue("--gap")).toBe("2");
  });
});

describe("update", () => {
  test("changes presentation in place and keeps what it does not name", () => {
    const { frame, widget, element } = mount({ widget: "connections", className: "a", style: { opacity: 0.5 }, width: 300 });
    widget.update({ height: 200, className: "b" });
    expect(frames(element)).toEqual([frame]);
    expect(frame.style.height).toBe("200px");
    expect(frame.style.width).toBe("300px");
    expect(frame.className).toBe("b");
    expect(frame.style.opacity).toBe("0.5");
    widget.update({ style: undefined, className: undefined, width: undefined });
    expect(frame.style.opacity).toBe("");
    expect(frame.className).toBe("");
    expect(frame.style.width).toBe("100%");
  });

  test("new callbacks are the ones called", async () => {
    const first = vi.fn();
    const second = vi.fn();
    const { frame, widget } = mount({ widget: "connections", onError: first });
    widget.update({ onError: second });
    fromWidget(frame, "error", { code: "c", message: "m" });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith("c", "m");
  });

  test("a new connectionId loads the new page in a fresh iframe, which gets the token when ready", async () => {
    const { frame, widget, element } = mount({ widget: "connection", connectionId: "c1" });
    fromWidget(frame, "ready");
    await settle();
    widget.update({ connectionId: "c2" });
    const [next] = frames(element);
    expect(next).not.toBe(frame);
    expect(frame.isConnected).toBe(false);
    expect(next.src).toContain("/widgets/connection/c2?");
    fromWidget(frame, "tokenAck"); // the old page is gone
    fromWidget(next, "ready");
    expect(sent(next).map((m) => m.type)).toEqual(["token"]);
  });

  test("switching to the connection widget without an id throws, and changes nothing", () => {
    const { widget, frame, element } = mount({ widget: "connections" });
    expect(() => widget.update({ widget: "connection", height: 1 })).toThrow(/connectionId/);
    widget.update({ width: 2 });
    expect(frames(element)).toEqual([frame]);
    expect(frame.style.height).toBe("600px");
  });

  test("does nothing after destroy", () => {
    const { widget, element } = mount({ widget: "connections" });
    widget.destroy();
    widget.update({ widget: "connection", connectionId: "c" });
    expect(frames(element)).toEqual([]);
  });
});

describe("appearance", () => {
  test("is sent when the widget is ready, before its token, and again on every change", async () => {
    const { frame, widget } = mount({ widget: "connections", appearance: { mode: "dark", colors: { primary: "#0a84ff" } } });
    widget.update({ appearance: { mode: "dark", colors: { primary: "#0a84ff" } } }); // not ready: nothing to send to
    expect(sent(frame)).toEqual([]);
    fromWidget(frame, "ready");
    await settle();
    expect(sent(frame).map((m) => [m.type, m.payload])).toEqual([
      ["appearance", { mode: "dark", colors: { primary: "#0a84ff" } }],
      ["token", { token: "t1", expiresIn: 900 }],
    ]);
    widget.update({ appearance: { mode: "dark", colors: { primary: "#0a84ff" } }, height: 10 }); // same value: not resent
    widget.update({ appearance: { mode: "light", font_family: "Inter", border_radius: "4px" } });
    widget.update({ appearance: undefined }); // back to the vendor's own: an empty override
    expect(sent(frame).slice(2).map((m) => m.payload)).toEqual([{ mode: "light", font_family: "Inter", border_radius: "4px" }, {}]);
  });

  test("nothing is sent for a widget without one", async () => {
    const { frame } = mount({ widget: "connections" });
    fromWidget(frame, "ready");
    await settle();
    expect(sent(frame).map((m) => m.type)).toEqual(["token"]);
  });

  test("is sent again when the iframe reloads", async () => {
    const { frame } = mount({ widget: "connections", appearance: { mode: "dark" } });
    fromWidget(frame, "ready");
    await settle();
    fromWidget(frame, "ready"); // the page loaded again: a fresh handshake
    expect(sent(frame).map((m) => m.type)).toEqual(["appearance", "token", "appearance", "token"]);
  });
});
