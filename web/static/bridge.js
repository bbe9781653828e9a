/*
 * Oriel SDK-mode bridge: the widget side of docs/protocol.md for the pages
 * at /widgets/… . Plain ES2019, no build step, no dependencies.
 *
 * widget.js (window.OrielWidget) owns the messaging: it says ready to the
 * page's parent_origin and accepts messages only from window.parent at
 * exactly that origin. At boot it calls window.OrielBridge(runtime) with
 *   post(type, payload)  posts to the parent at parent_origin,
 *   on(type, handler)    handles one message type from the parent,
 *   start()              runs the page's scripts (OrielWidget.ready),
 *   fail(code, message)  posts an error,
 *   origin               the parent_origin,
 * and sends the page's widget API requests through the request(path, init)
 * the bridge returns. The bridge
 *   - keeps the bound access token in this closure only and answers every
 *     token / tokenUpdate with tokenAck at once;
 *   - after the first token, reads GET /widget-api/viewer?widget=<kind>
 *     (the role and the vendor's appearance; the server refuses a token the
 *     kind cannot use) and only then starts the page: nothing is shown
 *     before a token is accepted;
 *   - sends every request with "Authorization: Bearer <token>" and
 *     "X-Oriel-Parent-Origin: <parent_origin>", never cookies;
 *   - on token_expired posts tokenExpired (once per token) and sends the
 *     request again with the next token;
 *   - on token_invalid, token_revoked, origin_not_allowed or
 *     user_binding_required posts
 *     authError {code, message} once, removes the page's content and sends
 *     no more requests;
 *   - applies appearance messages over the vendor's appearance, after the
 *     checks of web.CheckAppearance (web/theme.go), as CSS custom properties
 *     of an allowlist only; an appearance that fails any check is ignored.
 */
(function () {
  "use strict";

  var MAX_TOKEN_LENGTH = 4096;
  var VIEWER_PATH = "/widget-api/viewer";
  var REFUSED = { token_invalid: true, token_revoked: true, origin_not_allowed: true, user_binding_required: true };

  // PROPERTIES maps an appearance colour to the custom property it sets
  // (as templates/shell.html does for the vendor's).
  var PROPERTIES = {
    primary: "--oriel-primary",
    background: "--oriel-bg",
    surface: "--oriel-surface",
    text: "--oriel-text",
    muted: "--oriel-text-muted",
    border: "--oriel-border",
    danger: "--oriel-danger",
    success: "--oriel-success",
  };
  // The rules of web.CheckAppearance.
  var COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/;
  var FONT_FAMILY = /^[A-Za-z][A-Za-z0-9]*(?:[ -][A-Za-z0-9]+)*$/;
  var RADIUS = /^(?:0|[1-9][0-9]?)px$/;
  var MAX_FONT_FAMILY = 200;
  var MAX_RADIUS = 24;

  function own(object, key) {
    return object !== null && typeof object === "object" && Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
  }

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // themeOf checks an appearance as web.CheckAppearance does and returns
  // {mode, properties}: mode "light", "dark", "auto", or undefined when not
  // set, and the custom properties it sets. It returns null when any value
  // fails.
  function themeOf(a) {
    if (!isPlainObject(a)) {
      return null;
    }
    var theme = { mode: undefined, properties: {} };
    var mode = own(a, "mode");
    if (mode !== undefined && mode !== "") {
      if (mode !== "light" && mode !== "dark" && mode !== "auto") {
        return null;
      }
      theme.mode = mode;
    }
    var colors = own(a, "colors");
    if (colors !== undefined && colors !== null) {
      if (!isPlainObject(colors)) {
        return null;
      }
      var names = Object.keys(colors);
      for (var i = 0; i < names.length; i++) {
        var value = colors[names[i]];
        if (!Object.prototype.hasOwnProperty.call(PROPERTIES, names[i]) || typeof value !== "string" || !COLOR.test(value.toLowerCase())) {
          return null;
        }
        theme.properties[PROPERTIES[names[i]]] = value.toLowerCase();
      }
    }
    var font = own(a, "font_family");
    if (font !== undefined && font !== "") {
      if (typeof font !== "string") {
        return null;
      }
      var families = font.split(",").map(function (f) {
        return f.trim();
      });
      if (!families.every(FONT_FAMILY.test, FONT_FAMILY) || families.join(", ").length > MAX_FONT_FAMILY) {
        return null;
      }
      theme.properties["--oriel-font"] = families.join(", ") + ", system-ui, sans-serif";
    }
    var radius = own(a, "border_radius");
    if (radius !== undefined && radius !== "") {
      if (typeof radius !== "string" || !RADIUS.test(radius) || parseInt(radius, 10) > MAX_RADIUS) {
        return null;
      }
      theme.properties["--oriel-radius"] = radius;
    }
    return theme;
  }

  window.OrielBridge = function (runtime) {
    var token = "";
    var generation = 0; // the number of tokens received
    var expiredReported = 0; // the generation last reported as expired
    var refused = false; // authError was sent: no more data, for good
    var authorizing = false;
    var nextToken = []; // requests waiting for a token after token_expired
    var vendorTheme = null;
    var hostTheme = null;
    var applied = []; // the custom properties set on <html>

    function onToken(payload) {
      var value = own(payload, "token");
      var expiresIn = own(payload, "expiresIn");
      if (typeof value !== "string" || !value || value.length > MAX_TOKEN_LENGTH || typeof expiresIn !== "number" || !(expiresIn >= 0)) {
        return;
      }
      token = value;
      generation++;
      runtime.post("tokenAck");
      nextToken.splice(0).forEach(function (resume) {
        resume();
      });
      if (!authorizing) {
        authorizing = true;
        authorize();
      }
    }

    // authorize learns the role and the vendor's appearance, then starts
    // the page. A refused token has removed the page already.
    function authorize() {
      var kind = document.body.dataset.widget;
      request(VIEWER_PATH + (kind ? "?widget=" + encodeURIComponent(kind) : ""), { headers: { Accept: "application/json" } })
        .then(function (res) {
          return res.ok ? res.json() : Promise.reject(res);
        })
        .then(
          function (viewer) {
            document.body.dataset.canManage = own(viewer, "can_manage") === true ? "true" : "false";
            vendorTheme = themeOf(own(viewer, "appearance"));
            applyTheme();
            runtime.start();
          },
          function () {
            if (!refused) {
              runtime.fail("viewer_unavailable", "The widget could not load who it serves.");
              runtime.start(); // the page shows its own error, with no data
            }
          }
        );
    }

    function onAppearance(payload) {
      var theme = themeOf(payload);
      if (theme) {
        hostTheme = theme;
        applyTheme();
      }
    }

    // applyTheme sets the vendor's theme and, over it, the host page's.
    function applyTheme() {
      var style = document.documentElement.style;
      applied.forEach(function (name) {
        style.removeProperty(name);
      });
      var properties = Object.assign({}, vendorTheme && vendorTheme.properties, hostTheme && hostTheme.properties);
      applied = Object.keys(properties);
      applied.forEach(function (name) {
        style.setProperty(name, properties[name]);
      });
      var mode = (hostTheme && hostTheme.mode) || (vendorTheme && vendorTheme.mode);
      if (mode === "light" || mode === "dark") {
        document.documentElement.setAttribute("data-theme", mode);
      } else {
        document.documentElement.removeAttribute("data-theme");
      }
    }

    // request sends a widget API request with the token and the parent
    // origin, handling an expired or refused token.
    function request(path, init) {
      if (refused) {
        return Promise.reject(new Error("the widget's token was refused"));
      }
      var sent = generation;
      var options = Object.assign({}, init, { headers: new Headers((init && init.headers) || {}), credentials: "omit" });
      options.headers.set("Authorization", "Bearer " + token);
      options.headers.set("X-Oriel-Parent-Origin", runtime.origin);
      return window.fetch(path, options).then(function (res) {
        if (res.status !== 401 && res.status !== 403) {
          return res;
        }
        return res
          .clone()
          .json()
          .catch(function () {
            return null;
          })
          .then(function (problem) {
            var code = own(problem, "code");
            if (code === "token_expired") {
              return retryWithNextToken(sent, path, init);
            }
            if (REFUSED[code] === true) {
              refuse(code, own(problem, "detail"));
            }
            return res;
          });
      });
    }

    // retryWithNextToken reports the token sent (generation sent) as
    // expired, once, and sends the request again with the next token.
    function retryWithNextToken(sent, path, init) {
      if (generation !== sent) {
        return request(path, init);
      }
      if (expiredReported !== sent) {
        expiredReported = sent;
        runtime.post("tokenExpired");
      }
      return new Promise(function (resume) {
        nextToken.push(resume);
      }).then(function () {
        return request(path, init);
      });
    }

    // refuse tells the host page why its token was refused, and removes
    // everything the page showed.
    function refuse(code, message) {
      if (refused) {
        return;
      }
      refused = true;
      token = "";
      runtime.post("authError", { code: code, message: typeof message === "string" ? message : "" });
      var content = document.getElementById("widget-content");
      var template = document.getElementById("tpl-refused");
      if (content && template) {
        var el = template.content.firstElementChild.cloneNode(true);
        el.querySelector("code").textContent = code;
        content.replaceWith(el);
      } else if (content) {
        content.remove();
      }
    }

    runtime.on("token", onToken);
    runtime.on("tokenUpdate", onToken);
    runtime.on("appearance", onAppearance);
    return { request: request };
  };
})();
