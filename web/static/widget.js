/*
 * Oriel widget runtime: plain ES2019, no build step, no dependencies.
 *
 * Loaded by every Oriel page from <head>, it
 *   1. removes dl_token from the address bar before the page is even parsed,
 *      so the single-use token stays out of history, bookmarks and Referer;
 *   2. reads the boot data the server put on <body> (data-parent-origin,
 *      data-session, data-error-code, data-error-message), and removes the
 *      session token from the DOM, keeping it in this closure only;
 *   3. talks to the parent window only at the verified parent origin: every
 *      message is a JSON string {"type": …, "payload": …} posted with that
 *      exact targetOrigin (never "*"), and a message is accepted only from
 *      window.parent at exactly that origin; anything malformed is ignored;
 *   4. reports the content height (heightChange) on load and on every change,
 *      and, on an error page with a known parent, the error.
 *
 * Widgets extend it through window.OrielWidget: post(type, payload),
 * on(type, handler) and request(path, init), a same-origin fetch that carries
 * the session.
 */
(function () {
  "use strict";

  var MAX_MESSAGE_LENGTH = 64 * 1024;
  var ORIGIN_PATTERN = /^https?:\/\/[^\s/?#*]+$/;

  var parentOrigin = "";
  var session = "";
  var handlers = Object.create(null);
  var lastHeight = -1;

  stripToken();

  function stripToken() {
    try {
      var url = new URL(window.location.href);
      if (!url.searchParams.has("dl_token")) {
        return;
      }
      url.searchParams.delete("dl_token");
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    } catch (e) {
      // A sandboxed or opaque document cannot rewrite its URL; nothing else to do.
    }
  }

  function framed() {
    return window.parent !== window;
  }

  // post sends a message to the parent at the verified origin, and reports
  // whether it was sent (it is not when no parent origin is known).
  function post(type, payload) {
    if (!parentOrigin || !framed()) {
      return false;
    }
    window.parent.postMessage(JSON.stringify({ type: type, payload: payload }), parentOrigin);
    return true;
  }

  // on registers the handler of one message type from the parent.
  function on(type, handler) {
    if (typeof type === "string" && typeof handler === "function") {
      handlers[type] = handler;
    }
  }

  function receive(event) {
    if (!parentOrigin || event.source !== window.parent || event.origin !== parentOrigin) {
      return;
    }
    if (typeof event.data !== "string" || event.data.length > MAX_MESSAGE_LENGTH) {
      return;
    }
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (message === null || typeof message !== "object" || Array.isArray(message) || typeof message.type !== "string") {
      return;
    }
    var handler = handlers[message.type];
    if (typeof handler !== "function") {
      return;
    }
    try {
      handler(message.payload);
    } catch (e) {
      post("error", { message: "The widget could not handle a message.", code: "message_failed" });
    }
  }

  // request fetches a same-origin path with the session, never with cookies.
  function request(path, init) {
    if (typeof path !== "string" || path.charAt(0) !== "/" || path.charAt(1) === "/" || path.charAt(1) === "\\") {
      return Promise.reject(new TypeError("OrielWidget.request takes a path on this origin"));
    }
    var options = Object.assign({}, init, { credentials: "omit", headers: new Headers((init && init.headers) || {}) });
    if (session) {
      options.headers.set("Authorization", "Bearer " + session);
    }
    return window.fetch(path, options);
  }

  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post("heightChange", { height: height });
    }
  }

  function boot() {
    var body = document.body;
    var data = body.dataset;
    parentOrigin = ORIGIN_PATTERN.test(data.parentOrigin || "") ? data.parentOrigin : "";
    session = data.session || "";
    body.removeAttribute("data-session");
    if (!parentOrigin || !framed()) {
      return;
    }
    window.addEventListener("message", receive);
    reportHeight();
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(reportHeight).observe(document.documentElement);
    } else {
      window.addEventListener("resize", reportHeight);
    }
    if (data.errorCode) {
      post("error", { message: data.errorMessage || "", code: data.errorCode });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }

  window.OrielWidget = Object.freeze({ post: post, on: on, request: request });
})();
