/*
 * Oriel widget runtime: plain ES2019, no build step, no dependencies.
 *
 * Loaded by every Oriel page from <head>, it
 *   1. removes dl_token from the address bar before the page is even parsed,
 *      so the single-use token stays out of history, bookmarks and Referer;
 *      on the OAuth callback page it removes the whole query (code, state);
 *   2. reads the boot data the server put on <body> (data-parent-origin,
 *      data-session, data-error-code, data-error-message), and removes the
 *      session token from the DOM, keeping it in this closure only;
 *   3. talks to the parent window only at the verified parent origin: every
 *      message is a JSON string {"type": …, "payload": …} posted with that
 *      exact targetOrigin (never "*"), and a message is accepted only from
 *      window.parent at exactly that origin; anything malformed is ignored;
 *   4. reports the content height (heightChange) on load and on every change,
 *      and, on an error page with a known parent, the error;
 *   5. opens the OAuth popup and hears back from it: the popup's callback
 *      page (data-opener-origin, data-status-event) posts its one message to
 *      its opener at exactly Oriel's own origin and closes; the widget
 *      accepts it only from that popup window at its own origin.
 *
 *   6. in SDK mode (data-sdk, the /widgets/… pages; docs/protocol.md), says
 *      ready to the claimed parent origin, takes token / tokenUpdate (answering
 *      tokenAck at once) and appearance from there only, and starts the page
 *      only once a token is acknowledged; the widget API then answers
 *      token_expired (tokenExpired, once per token, and the request is sent
 *      again with the next token) or refuses the token (authError, and the
 *      page's content is removed for good).
 *
 * Widgets extend it through window.OrielWidget: ready(fn), post(type,
 * payload), on(type, handler), request(path, init), a same-origin fetch
 * that carries the session or token, and openPopup(onMessage, onClose).
 */
(function () {
  "use strict";

  var MAX_MESSAGE_LENGTH = 64 * 1024;
  var ORIGIN_PATTERN = /^https?:\/\/[^\s/?#*]+$/;
  var CALLBACK_PATH = "/oauth/callback";
  var POPUP_FEATURES = "popup,width=520,height=720";
  var CLOSE_GRACE_MS = 250;

  var parentOrigin = "";
  var session = "";
  var sdk = false; // an SDK-mode page: its credential comes by postMessage
  var handlers = Object.create(null);
  var lastHeight = -1;
  var booted = false;
  var waiting = []; // the callbacks of ready() before boot
  var bridge = null; // the SDK-mode side of the page (bridge.js)

  stripSecrets();

  // stripSecrets rewrites the address bar before anything else runs.
  function stripSecrets() {
    try {
      var url = new URL(window.location.href);
      if (url.pathname === CALLBACK_PATH && url.search) {
        url.search = "";
      } else if (url.searchParams.has("dl_token")) {
        url.searchParams.delete("dl_token");
      } else {
        return;
      }
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    } catch (e) {
      // A sandboxed or opaque document cannot rewrite its URL; nothing else to do.
    }
  }

  function framed() {
    return window.parent !== window;
  }

  // encode makes the one message format. The reference page reads an
  // error at data.error as well as data.payload.error, so a payload's error
  // is copied to the top level.
  function encode(type, payload) {
    var message = { type: type, payload: payload };
    if (payload && typeof payload.error === "string" && payload.error) {
      message.error = payload.error;
    }
    return JSON.stringify(message);
  }

  // parse returns the {type, payload} object of a message, or null when it
  // is not one: not a string, too long, not JSON or without a string type.
  function parse(data) {
    if (typeof data !== "string" || data.length > MAX_MESSAGE_LENGTH) {
      return null;
    }
    var message;
    try {
      message = JSON.parse(data);
    } catch (e) {
      return null;
    }
    if (message === null || typeof message !== "object" || Array.isArray(message) || typeof message.type !== "string") {
      return null;
    }
    return message;
  }

  // post sends a message to the parent at the verified origin, and reports
  // whether it was sent (it is not when no parent origin is known).
  function post(type, payload) {
    if (!parentOrigin || !framed()) {
      return false;
    }
    window.parent.postMessage(encode(type, payload), parentOrigin);
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
    var message = parse(event.data);
    var handler = message && handlers[message.type];
    if (typeof handler !== "function") {
      return;
    }
    try {
      handler(message.payload);
    } catch (e) {
      post("error", { message: "The widget could not handle a message.", code: "message_failed" });
    }
  }

  // request fetches a same-origin path with the session: an embedded page
  // sends the token it holds, never cookies; a top-level page relies on its
  // HttpOnly cookie, so it marks the request as its own (X-Oriel-Widget), a
  // header no other site can send without a CORS preflight Oriel refuses.
  function request(path, init) {
    if (typeof path !== "string" || path.charAt(0) !== "/" || path.charAt(1) === "/" || path.charAt(1) === "\\") {
      return Promise.reject(new TypeError("OrielWidget.request takes a path on this origin"));
    }
    if (sdk) {
      return bridge.request(path, init);
    }
    var options = Object.assign({}, init, { headers: new Headers((init && init.headers) || {}) });
    options.headers.set("X-Oriel-Widget", "1");
    if (session) {
      options.credentials = "omit";
      options.headers.set("Authorization", "Bearer " + session);
    } else {
      options.credentials = "same-origin";
    }
    return window.fetch(path, options);
  }

  // openPopup opens a blank popup window at once, so call it from the click
  // handler itself: browsers block popups opened later. It returns null when
  // the browser blocked it, else a handle whose navigate(url) sends the popup
  // to a URL of this origin. Messages the popup posts from this origin go to
  // onMessage({type, payload}); onClose() runs once, when the popup closes
  // or close() is called.
  function openPopup(onMessage, onClose) {
    var popup = window.open("", "oriel-oauth", POPUP_FEATURES);
    if (!popup) {
      return null;
    }
    var finished = false;
    // A popup that closes right after posting: its message may still be
    // queued, so the listener stays a moment longer.
    var timer = window.setInterval(function () {
      if (popup.closed) {
        window.clearInterval(timer);
        window.setTimeout(finish, CLOSE_GRACE_MS);
      }
    }, 300);
    function listen(event) {
      if (event.source !== popup || event.origin !== window.location.origin) {
        return;
      }
      var message = parse(event.data);
      if (message) {
        onMessage(message);
      }
    }
    function finish() {
      if (finished) {
        return;
      }
      finished = true;
      window.clearInterval(timer);
      window.removeEventListener("message", listen);
      onClose();
    }
    window.addEventListener("message", listen);
    return {
      navigate: function (url) {
        var target = new URL(url, window.location.href);
        if (target.origin !== window.location.origin) {
          throw new TypeError("the popup only opens pages of this origin");
        }
        popup.location.replace(target.href);
      },
      close: function () {
        popup.close();
        finish();
      },
    };
  }

  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post("heightChange", { height: height });
    }
  }

  // reportToOpener is the OAuth callback page's one job: tell the widget
  // that opened the popup how the authorization ended, then close.
  function reportToOpener(data) {
    var closeButton = document.querySelector("[data-action=close-window]");
    if (closeButton) {
      closeButton.addEventListener("click", function () {
        window.close();
      });
    }
    var openerOrigin = ORIGIN_PATTERN.test(data.openerOrigin || "") ? data.openerOrigin : "";
    if (!openerOrigin || !data.statusEvent || !window.opener) {
      return;
    }
    var payload;
    try {
      payload = JSON.parse(data.statusEvent);
    } catch (e) {
      return;
    }
    window.opener.postMessage(encode("connectionStatusChange", payload), openerOrigin);
    window.close();
  }

  // ready runs fn once the boot data is read: at once when it is, else
  // right after. Page scripts start with it, since deferred scripts run
  // before DOMContentLoaded, when this runtime boots.
  function ready(fn) {
    if (booted) {
      fn();
    } else {
      waiting.push(fn);
    }
  }

  // switchSections makes the workspace's navigation switch sections in the
  // page: an embedded workspace holds its session in memory, which a new
  // page would lose. At the top level the address follows the section.
  function switchSections() {
    var nav = document.querySelector(".workspace-nav");
    if (!nav) {
      return;
    }
    nav.addEventListener("click", function (event) {
      var tab = event.target.closest("[data-section]");
      if (!tab || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      nav.querySelectorAll("[data-section]").forEach(function (other) {
        var current = other === tab;
        if (current) {
          other.setAttribute("aria-current", "page");
        } else {
          other.removeAttribute("aria-current");
        }
        document.getElementById("section-" + other.dataset.section).hidden = !current;
      });
      document.title = tab.textContent + document.title.slice(document.title.indexOf(" · "));
      if (!framed()) {
        window.history.replaceState(window.history.state, "", tab.getAttribute("href"));
      }
    });
  }

  function boot() {
    var body = document.body;
    var data = body.dataset;
    switchSections();
    parentOrigin = ORIGIN_PATTERN.test(data.parentOrigin || "") ? data.parentOrigin : "";
    session = data.session || "";
    body.removeAttribute("data-session");
    // An SDK-mode page never falls back to a session or cookie: without
    // its bridge it stays a loader.
    sdk = data.sdk === "true";
    if (sdk) {
      if (typeof window.OrielBridge !== "function" || session) {
        return;
      }
      bridge = window.OrielBridge({ post: post, on: on, start: start, fail: postError, origin: parentOrigin });
    } else {
      start();
    }
    if (window.location.pathname === CALLBACK_PATH) {
      reportToOpener(data);
      return;
    }
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
      postError(data.errorCode, data.errorMessage || "");
    }
    if (sdk) {
      post("ready");
    }
  }

  // start runs the page's scripts (ready): at boot, or in SDK mode once a
  // token is acknowledged and the viewer known.
  function start() {
    if (booted) {
      return;
    }
    booted = true;
    waiting.splice(0).forEach(function (fn) {
      fn();
    });
  }

  function postError(code, message) {
    post("error", { message: message, code: code });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }

  window.OrielWidget = Object.freeze({ post: post, on: on, request: request, openPopup: openPopup, ready: ready });
})();
