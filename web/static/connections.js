/*
 * Oriel connections UI: the embedded connection widget
 * (/direct_link/embedded/connections/{id}) and the workspace's list of
 * connections (/connections). Plain ES2019 on top of widget.js
 * (window.OrielWidget); no build step, no dependencies.
 *
 * It loads connections from the widget API (/widget-api/…, authenticated by
 * the page's session) and renders each from the page's <template>
 * elements, filling in text and attributes only, never markup, so nothing
 * the API returns is parsed as HTML. It tells the parent page the status of
 * each connection once loaded, then every status change
 * (connectionStatusChange {id, provider, integration, name, connected,
 * error?}), and of unexpected errors (error {message}).
 *
 * An OAuth2 connection opens the provider in a popup, opened in the click
 * handler itself (so that no browser blocks it) and sent to Oriel's
 * /oauth/start once the widget API has issued a one-time start URL. An
 * API-key or basic connection is a form: the server checks the values and
 * answers 422 with a message per field; typed secrets stay in the form and
 * are never shown again once saved.
 */
(function () {
  "use strict";

  var widget = window.OrielWidget;
  var LOGO_PREFIX = "/logos/"; // logos are served by Oriel, never by a third party
  // PAGE_SIZE is how many connections the list asks for at a time: about
  // what it shows at first. "Show more" loads the next page.
  var PAGE_SIZE = 25;

  // KIND names how a connection authenticates, for one whose provider and
  // name are the same.
  var KIND = {
    oauth2: "OAuth 2.0",
    oauth2_client_credentials: "Client ID and secret",
    api_key: "API key",
    basic: "Username and password",
  };

  var STATUS = {
    connected: { label: "Connected", className: "status-connected" },
    disconnected: { label: "Not connected", className: "status-disconnected" },
    error: { label: "Needs attention", className: "status-error" },
  };

  // PRIMARY selects a card's main action, where focus goes after a change.
  var PRIMARY = "[data-action=connect]:not([hidden]), [data-action=reconnect]:not([hidden])";

  var root = null; // the #connections element
  var single = ""; // the id of the one connection of the widget page, or ""
  var canManage = false; // a viewer sees the status only
  var cards = []; // one state per connection shown
  var statusSent = {}; // the ids of the connections whose status the parent page was told on load
  var nextAfter = ""; // the id the next page of the list starts after, "" when every connection is shown
  var more = null; // the "Show more" part under the list, once there is a next page

  // A card is the state of one connection on screen:
  //   data    the connection, as the widget API returns it
  //   el      its <article>, or null before the first render
  //   view    "idle", "form" (entering credentials) or "confirm" (disconnect)
  //   busy    the action under way ("connect", "save", "disconnect") or ""
  //   notice  {title, text} of the last failed action, or null
  //   popupEvent  the OAuth popup's report, once it came
  function newCard(data) {
    return { data: data, el: null, view: "idle", busy: "", notice: null, popupEvent: null };
  }

  function start() {
    root = document.getElementById("connections");
    if (!root || !widget) {
      return;
    }
    single = document.body.dataset.connectionId || "";
    canManage = document.body.dataset.canManage === "true";
    root.addEventListener("click", onClick);
    root.addEventListener("submit", onSubmit);
    root.addEventListener("keydown", onKeydown);
    load();
  }

  // ---- Loading -----------------------------------------------------------

  function load() {
    root.setAttribute("aria-busy", "true");
    root.replaceChildren(clone("tpl-loading"));
    cards = [];
    showMore("");
    fetchFirst().then(
      function (list) {
        root.removeAttribute("aria-busy");
        root.replaceChildren();
        if (list.length === 0) {
          renderEmpty();
        }
        addCards(list);
      },
      function (problem) {
        root.removeAttribute("aria-busy");
        reportUnexpected(problem);
        renderLoadProblem(problem);
      }
    );
  }

  // fetchFirst loads what the page shows first: its one connection, or the
  // first page of the list.
  function fetchFirst() {
    if (single) {
      return api("GET", connectionPath(single)).then(function (c) {
        return [c];
      });
    }
    return fetchPage("");
  }

  // fetchPage loads the page of the list that starts after the connection
  // id after ("" for the first), and shows "Show more" when another follows.
  function fetchPage(after) {
    var path = "/widget-api/connections?limit=" + PAGE_SIZE + (after ? "&starting_after=" + encodeURIComponent(after) : "");
    return api("GET", path).then(function (body) {
      var last = body.data.length > 0 ? body.data[body.data.length - 1].id : "";
      showMore(body.has_more ? last : "");
      return body.data;
    });
  }

  // addCards shows connections just loaded, after those shown, and tells the
  // parent page the status of each, once.
  function addCards(list) {
    var added = list.map(newCard);
    cards = cards.concat(added);
    added.forEach(function (card) {
      render(card);
    });
    added.forEach(function (card) {
      if (!statusSent[card.data.id]) {
        statusSent[card.data.id] = true;
        widget.post("connectionStatusChange", statusEvent(card.data));
      }
    });
    return added;
  }

  // showMore shows the "Show more" button under the list when after (the id
  // the next page starts after) is not "", and hides it otherwise.
  function showMore(after) {
    nextAfter = after;
    if (!more && after) {
      more = clone("tpl-more").firstElementChild;
      root.parentNode.insertBefore(more, root.nextSibling);
      more.querySelector("[data-action=more]").addEventListener("click", loadMore);
    }
    if (more) {
      more.hidden = !after;
      more.querySelector(".more-problem").hidden = true;
    }
  }

  // loadMore shows the next page of the list, and moves focus to the first
  // connection it added.
  function loadMore() {
    var button = more.querySelector("[data-action=more]");
    if (button.disabled || !nextAfter) {
      return;
    }
    setBusy(button, true);
    fetchPage(nextAfter).then(
      function (list) {
        setBusy(button, false);
        var added = addCards(list);
        announce(added.length === 1 ? "1 more connection shown" : added.length + " more connections shown");
        var heading = added.length > 0 ? added[0].el.querySelector(".conn-name") : null;
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      },
      function (problem) {
        setBusy(button, false);
        reportUnexpected(problem);
        var text = more.querySelector(".more-problem");
        text.textContent = loadProblemCopy(problem).text;
        text.hidden = false;
      }
    );
  }

  // renderEmpty says there is no connection yet and lists, once loaded, the
  // apps the vendor can connect (its integrations), with their logos.
  function renderEmpty() {
    var el = clone("tpl-empty").firstElementChild;
    root.appendChild(el);
    api("GET", "/widget-api/integrations?limit=100").then(
      function (body) {
        var apps = el.querySelector(".state-apps");
        body.data.forEach(function (app) {
          var item = clone("tpl-app").firstElementChild;
          showLogo(item.querySelector(".state-app-logo"), app.logo);
          item.querySelector(".state-app-name").textContent = app.name;
          apps.appendChild(item);
        });
        apps.hidden = body.data.length === 0;
        el.querySelector(".state-apps-intro").hidden = apps.hidden;
      },
      function () {
        // The list is a courtesy; the empty state stands without it.
      }
    );
  }

  function renderLoadProblem(problem) {
    var el = clone("tpl-problem");
    var copy = loadProblemCopy(problem);
    el.querySelector(".state-title").textContent = copy.title;
    el.querySelector(".state-text").textContent = copy.text;
    el.querySelector("[data-action=retry]").hidden = !copy.retry;
    root.replaceChildren(el);
  }

  function loadProblemCopy(problem) {
    if (problem.status === 401) {
      return { title: "Your session has ended", text: "Open this page again from the app you came from.", retry: false };
    }
    if (problem.status === 404) {
      return { title: "Connection not found", text: "It may have been deleted. Go back to the app you came from.", retry: false };
    }
    return {
      title: single ? "This connection could not be loaded" : "Your connections could not be loaded",
      text: problem.detail,
      retry: true,
    };
  }

  // ---- Rendering ---------------------------------------------------------

  // render draws card from its state, replacing what was drawn before, and
  // then focuses the element focus selects (if any).
  function render(card, focus) {
    var c = card.data;
    var el = clone("tpl-connection").firstElementChild;
    el.id = "connection-" + c.id;
    el.setAttribute("aria-busy", card.busy ? "true" : "false");

    showLogo(el.querySelector(".conn-logo"), c.logo);
    el.querySelector(".conn-name").textContent = c.name;
    el.querySelector(".conn-meta").textContent = metaLine(c);
    // Under the name in every view (single widget, list, SDK, SSO), not in
    // the footer note, which a list row hides.
    var since = el.querySelector(".conn-since");
    var date = c.status === "connected" && c.connected_at ? formatDate(c.connected_at) : "";
    since.textContent = date ? "Connected on " + date : "";
    since.hidden = !date;

    var status = STATUS[c.status] || STATUS.disconnected;
    var badge = el.querySelector(".status");
    badge.classList.add(status.className);
    badge.querySelector(".status-label").textContent = status.label;

    renderNotice(card, el);
    if (card.view === "form") {
      renderForm(card, el);
    } else if (card.view === "confirm") {
      var confirm = el.querySelector(".conn-confirm");
      confirm.hidden = false;
      confirm.querySelector(".confirm-text").textContent =
        "Disconnect " + c.name + "? The app loses access to your " + c.provider_name + " account until it is connected again.";
      setBusy(confirm.querySelector("[data-action=confirm-disconnect]"), card.busy === "disconnect");
    }
    renderFooter(card, el);

    if (card.el && card.el.parentNode === root) {
      root.replaceChild(el, card.el);
    } else {
      root.appendChild(el);
    }
    card.el = el;
    if (focus) {
      var target = el.querySelector(focus);
      if (target) {
        target.focus();
      }
    }
  }

  // showLogo points img at a logo Oriel serves, or hides it: a logo is only
  // ever loaded from Oriel's own /logos/, never from another origin.
  function showLogo(img, path) {
    if (typeof path === "string" && path.indexOf(LOGO_PREFIX) === 0) {
      img.src = path;
    } else {
      img.hidden = true;
    }
  }

  // metaLine says what the connection is: its provider, or how it
  // authenticates when the provider is what it is called.
  function metaLine(c) {
    return c.provider_name && c.provider_name !== c.name ? c.provider_name : KIND[c.kind] || c.provider_name;
  }

  function formatDate(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) {
      return "";
    }
    return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  }

  // sentence makes an error message read as one: capital first, full stop.
  function sentence(text) {
    if (!text) {
      return "";
    }
    var s = text.charAt(0).toUpperCase() + text.slice(1);
    return /[.!?]$/.test(s) ? s : s + ".";
  }

  // renderNotice shows the last failed action or, failing that, why a
  // connection in error needs attention.
  function renderNotice(card, el) {
    var notice = card.notice;
    if (!notice && card.data.status === "error") {
      notice = { title: "Reconnect to keep this connection working", text: card.data.last_error || "" };
    }
    if (!notice) {
      return;
    }
    var alert = el.querySelector(".conn-alert");
    alert.hidden = false;
    alert.querySelector(".alert-title").textContent = notice.title;
    var text = alert.querySelector(".alert-text");
    text.textContent = sentence(notice.text);
    text.hidden = !notice.text;
  }

  function renderFooter(card, el) {
    var c = card.data;
    var footer = el.querySelector(".conn-footer");
    var note = footer.querySelector(".conn-note");
    var buttons = {
      connect: footer.querySelector("[data-action=connect]"),
      reconnect: footer.querySelector("[data-action=reconnect]"),
      disconnect: footer.querySelector("[data-action=disconnect]"),
    };
    var keyed = c.kind === "api_key" || c.kind === "basic" || c.kind === "oauth2_client_credentials";
    var known = keyed || c.kind === "oauth2";
    var connected = c.status !== "disconnected";

    if (card.view !== "idle") {
      footer.hidden = true;
      return;
    }
    if (!canManage || !known) {
      Object.keys(buttons).forEach(function (k) {
        buttons[k].hidden = true;
      });
      note.textContent = !known
        ? "This app is no longer available. Contact the app's support."
        : "View only. Ask an admin of your workspace to change it.";
      return;
    }
    buttons.connect.hidden = connected;
    buttons.reconnect.hidden = !connected;
    buttons.disconnect.hidden = !connected;
    if (keyed) {
      buttons.reconnect.querySelector(".btn-label").textContent = "Update credentials";
    }
    if (c.status === "error") {
      buttons.reconnect.classList.replace("btn-secondary", "btn-primary");
    }
    setBusy(buttons.connect, card.busy === "connect");
    setBusy(buttons.reconnect, card.busy === "connect");
    if (card.busy) {
      buttons.disconnect.disabled = true;
    }
    if (card.busy === "connect" && !keyed) {
      note.textContent = "Finish signing in to " + c.provider_name + " in the window that opened.";
    } else if (!connected) {
      note.textContent = keyed
        ? "Enter your " + c.provider_name + " credentials to connect."
        : "You will sign in to " + c.provider_name + " in a new window.";
    }
  }

  function setBusy(button, busy) {
    button.disabled = busy;
    button.classList.toggle("is-busy", busy);
    button.setAttribute("aria-disabled", busy ? "true" : "false");
  }

  // renderForm draws the credentials form of an API-key or basic
  // connection, keeping what was typed in.
  function renderForm(card, el) {
    var form = el.querySelector(".conn-form");
    var list = form.querySelector(".fields");
    form.hidden = false;
    (card.data.fields || []).forEach(function (f, i) {
      list.appendChild(fieldElement(card, f, i));
    });
    setBusy(form.querySelector("[data-action=save]"), card.busy === "save");
    form.querySelector("[data-action=save] .btn-label").textContent = card.data.status === "disconnected" ? "Save and connect" : "Save";
    showFieldErrors(card, form);
  }

  function fieldElement(card, f, i) {
    var wrap = clone("tpl-field").firstElementChild;
    var id = "f-" + card.data.id + "-" + i;
    var label = wrap.querySelector(".field-label");
    label.htmlFor = id;
    label.textContent = f.label + (f.optional ? " (optional)" : "");
    var input = f.options && f.options.length ? selectElement(f) : inputElement(f);
    input.id = id;
    input.name = f.name;
    input.className = "input";
    if (!f.optional) {
      input.required = true;
      input.setAttribute("aria-required", "true");
    }
    var value = card.values && card.values[f.name];
    if (value !== undefined) {
      input.value = value;
    } else if (f["default"] && !f.secret) {
      input.value = f["default"];
    }
    label.insertAdjacentElement("afterend", input);

    var help = wrap.querySelector(".field-help");
    var error = wrap.querySelector(".field-error");
    help.id = id + "-help";
    error.id = id + "-error";
    help.textContent = f.help || "";
    help.hidden = !f.help;
    input.setAttribute("aria-describedby", (f.help ? help.id + " " : "") + error.id);
    return wrap;
  }

  function inputElement(f) {
    var input = document.createElement("input");
    input.type = f.secret ? "password" : "text";
    input.autocomplete = f.secret ? "new-password" : "off";
    input.spellcheck = false;
    input.setAttribute("autocapitalize", "off");
    if (f.placeholder) {
      input.placeholder = f.placeholder;
    }
    return input;
  }

  function selectElement(f) {
    var select = document.createElement("select");
    f.options.forEach(function (o) {
      var option = document.createElement("option");
      option.value = o.value;
      option.textContent = o.label;
      select.appendChild(option);
    });
    return select;
  }

  // showFieldErrors marks each field with its message (or none).
  function showFieldErrors(card, form) {
    var errors = card.fieldErrors || {};
    Array.prototype.forEach.call(form.querySelectorAll(".field"), function (wrap) {
      var input = wrap.querySelector(".input");
      var message = errors[input.name] || "";
      var error = wrap.querySelector(".field-error");
      error.textContent = message;
      error.hidden = !message;
      wrap.classList.toggle("field-invalid", !!message);
      input.setAttribute("aria-invalid", message ? "true" : "false");
    });
  }

  // ---- Actions -----------------------------------------------------------

  function cardOf(node) {
    var el = node.closest(".conn");
    for (var i = 0; i < cards.length; i++) {
      if (cards[i].el === el) {
        return cards[i];
      }
    }
    return null;
  }

  function onClick(event) {
    var button = event.target.closest("button[data-action]");
    if (!button || button.disabled) {
      return;
    }
    var action = button.getAttribute("data-action");
    if (action === "retry") {
      load();
      return;
    }
    var card = cardOf(button);
    if (!card || card.busy || !canManage) {
      return;
    }
    switch (action) {
      case "connect":
      case "reconnect":
        connect(card);
        break;
      case "disconnect":
        card.view = "confirm";
        card.notice = null;
        render(card, "[data-action=cancel]");
        break;
      case "confirm-disconnect":
        disconnect(card);
        break;
      case "cancel":
        card.view = "idle";
        card.fieldErrors = null;
        card.values = null;
        render(card, PRIMARY);
        break;
    }
  }

  function onKeydown(event) {
    if (event.key !== "Escape") {
      return;
    }
    var card = cardOf(event.target);
    if (card && card.view !== "idle" && !card.busy) {
      var cancel = card.el.querySelector("[data-action=cancel]:not([hidden])");
      if (cancel) {
        cancel.click();
      }
    }
  }

  function connect(card) {
    card.notice = null;
    if (card.data.kind === "oauth2") {
      connectOAuth(card);
      return;
    }
    card.view = "form";
    card.fieldErrors = null;
    render(card, ".input");
  }

  // connectOAuth runs in the click handler: the popup opens before any
  // request, then goes to the one-time start URL the widget API issues.
  function connectOAuth(card) {
    var popup = widget.openPopup(
      function (message) {
        onPopupMessage(card, message);
      },
      function () {
        onPopupClosed(card);
      }
    );
    if (!popup) {
      card.notice = { title: "The sign-in window was blocked", text: "Allow pop-ups for this page, then try again." };
      render(card, PRIMARY);
      return;
    }
    card.busy = "connect";
    card.popupEvent = null;
    render(card);
    api("POST", connectionPath(card.data.id) + "/oauth-start").then(
      function (body) {
        try {
          popup.navigate(body.url);
        } catch (e) {
          popup.close();
        }
      },
      function (problem) {
        popup.close();
        card.busy = "";
        card.notice = { title: "Could not start connecting", text: problem.detail };
        reportUnexpected(problem);
        render(card);
      }
    );
  }

  // onPopupMessage takes the popup's report: the connection's new status,
  // or why the authorization failed. It goes to the parent page with the
  // integration's key and name, and to screen readers once the connection
  // is read again.
  function onPopupMessage(card, message) {
    var event = message.type === "connectionStatusChange" ? statusEventFrom(message.payload) : null;
    if (!event || event.id !== card.data.id || card.popupEvent) {
      return;
    }
    card.popupEvent = event;
    card.busy = "";
    event.integration = card.data.integration || "";
    event.name = card.data.name;
    widget.post("connectionStatusChange", event);
    card.notice = event.error ? { title: "Could not connect", text: event.error } : null;
    refresh(card, false).then(function () {
      announceStatus(card.data);
    });
  }

  // onPopupClosed covers a popup closed without a report (the user closed
  // it, or the provider cut the link to this window): the connection is
  // read again, and a change reported.
  function onPopupClosed(card) {
    if (card.popupEvent) {
      return;
    }
    card.busy = "";
    refresh(card, true);
  }

  function disconnect(card) {
    card.busy = "disconnect";
    render(card);
    api("POST", connectionPath(card.data.id) + "/disconnect").then(
      function (data) {
        card.view = "idle";
        card.busy = "";
        changed(card, data);
        render(card, PRIMARY);
      },
      function (problem) {
        card.busy = "";
        card.view = "idle";
        card.notice = { title: "Could not disconnect", text: problem.detail };
        reportUnexpected(problem);
        render(card);
      }
    );
  }

  function onSubmit(event) {
    event.preventDefault();
    var form = event.target;
    var card = cardOf(form);
    if (!card || card.busy) {
      return;
    }
    var values = {};
    var missing = {};
    Array.prototype.forEach.call(form.querySelectorAll(".input"), function (input) {
      if (input.value !== "") {
        values[input.name] = input.value;
      } else if (input.required) {
        var label = form.querySelector("label[for='" + input.id + "']");
        missing[input.name] = label.textContent + " is required.";
      }
    });
    card.values = values;
    if (Object.keys(missing).length) {
      card.fieldErrors = missing;
      showFieldErrors(card, form);
      focusFirstInvalid(form);
      return;
    }
    card.busy = "save";
    card.notice = null;
    render(card);
    api("POST", connectionPath(card.data.id) + "/fields", { values: values }).then(
      function (data) {
        card.view = "idle";
        card.busy = "";
        card.values = null;
        card.fieldErrors = null;
        changed(card, data);
        render(card, PRIMARY);
      },
      function (problem) {
        card.busy = "";
        card.fieldErrors = problem.fields || null;
        if (!problem.fields) {
          card.notice = { title: "Could not connect", text: problem.detail };
          reportUnexpected(problem);
        }
        render(card, problem.fields ? null : "[data-action=save]");
        focusFirstInvalid(card.el);
      }
    );
  }

  function focusFirstInvalid(scope) {
    var invalid = scope.querySelector(".input[aria-invalid=true]");
    if (invalid) {
      invalid.focus();
    }
  }

  // refresh reads the card's connection again and draws it; when
  // reportChange, a status that differs from before is told to the parent.
  // Focus that was on the card (or nowhere, as after a popup closed) moves
  // to its main action.
  function refresh(card, reportChange) {
    return api("GET", connectionPath(card.data.id)).then(
      function (data) {
        if (reportChange) {
          changed(card, data);
        } else {
          card.data = data;
        }
        render(card, focusOn(card) ? PRIMARY : null);
      },
      function (problem) {
        reportUnexpected(problem);
        render(card, focusOn(card) ? PRIMARY : null);
      }
    );
  }

  // focusOn reports whether the keyboard focus is on card, or nowhere.
  function focusOn(card) {
    var active = document.activeElement;
    return !active || active === document.body || (card.el !== null && card.el.contains(active));
  }

  // changed installs the connection's new state and, when its status
  // changed, tells the parent page and screen readers.
  function changed(card, data) {
    var before = card.data;
    card.data = data;
    if (before.status === data.status && before.last_error === data.last_error) {
      return;
    }
    widget.post("connectionStatusChange", statusEvent(data));
    announceStatus(data);
  }

  // statusEvent is the connectionStatusChange payload of connection c as it
  // stands.
  function statusEvent(c) {
    var event = { id: c.id, provider: c.provider, integration: c.integration || "", name: c.name, connected: c.status === "connected" };
    if (c.status === "error" && c.last_error) {
      event.error = c.last_error;
    }
    return event;
  }

  // announceStatus tells screen readers where connection c stands.
  function announceStatus(c) {
    announce(c.name + ": " + (STATUS[c.status] || STATUS.disconnected).label);
  }

  // statusEventFrom accepts a connectionStatusChange payload of the right
  // shape only, and copies just its known fields.
  function statusEventFrom(p) {
    if (!p || typeof p !== "object" || typeof p.id !== "string" || typeof p.provider !== "string" || typeof p.connected !== "boolean") {
      return null;
    }
    var event = { id: p.id, provider: p.provider, connected: p.connected };
    if (typeof p.error === "string" && p.error) {
      event.error = p.error;
    }
    return event;
  }

  // ---- Plumbing ----------------------------------------------------------

  function connectionPath(id) {
    return "/widget-api/connections/" + encodeURIComponent(id);
  }

  // api calls the widget API and resolves with the JSON body, or rejects
  // with {status, code, detail, fields?}.
  function api(method, path, body) {
    var init = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    return widget.request(path, init).then(
      function (res) {
        return res
          .json()
          .catch(function () {
            return null;
          })
          .then(function (json) {
            if (res.ok && json) {
              return json;
            }
            throw problemOf(res.status, json);
          });
      },
      function () {
        throw { status: 0, code: "network_error", detail: "Oriel could not be reached. Check your connection and try again." };
      }
    );
  }

  function problemOf(status, json) {
    var p = { status: status, code: "", detail: "Something went wrong. Please try again in a moment." };
    if (json && typeof json === "object") {
      p.code = typeof json.code === "string" ? json.code : "";
      if (typeof json.detail === "string" && json.detail) {
        p.detail = json.detail;
      }
      if (json.fields && typeof json.fields === "object") {
        p.fields = json.fields;
      }
    }
    return p;
  }

  // reportUnexpected tells the parent page of a failure it may act on: the
  // session has ended, Oriel could not be reached, or failed.
  function reportUnexpected(problem) {
    if (problem.status === 0 || problem.status === 401 || problem.status >= 500) {
      widget.post("error", { message: problem.detail });
    }
  }

  function announce(text) {
    var live = document.getElementById("announcer");
    if (live) {
      live.textContent = text;
    }
  }

  function clone(id) {
    return document.getElementById(id).content.cloneNode(true);
  }

  if (widget) {
    widget.ready(start);
  }
})();
