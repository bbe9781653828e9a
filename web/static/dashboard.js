/*
 * Oriel employee dashboard: an employee's benefits, on its own page
 * (/widgets/employee-dashboard, /direct_link/embedded/employee-dashboard) and
 * as the workspace's Benefits section. Plain ES2019 on top of widget.js
 * (window.OrielWidget); no build step, no dependencies, no request to any
 * other origin.
 *
 * Three screens, as tabs: Overview (current coverage per kind of plan, the
 * total per pay period, the enrollment window), Enroll (compare the plans of
 * a kind side by side, choose who is covered and the tier, review the cost
 * per pay period, type one's full name and submit; or waive with a reason)
 * and Dependents (add, edit, remove). It reads and writes the benefits widget
 * API (/widget-api/benefits/…), renders with textContent only, never markup,
 * and tells the host page of every submitted election (enrollmentSubmitted
 * {plan_kind, election_id, waived}) and of failures it cannot handle itself
 * (error {code, message}). widget.js reports the height as it changes.
 */
(function () {
  "use strict";

  var widget = window.OrielWidget;
  var API = "/widget-api/benefits/";

  var KINDS = {
    medical: "Medical", dental: "Dental", vision: "Vision", life: "Life", disability: "Disability",
    accident: "Accident", hospital: "Hospital indemnity", telehealth: "Telehealth", hsa: "HSA", fsa: "FSA", other: "Other",
  };
  var TIERS = {
    employee: "Employee only", employee_spouse: "Employee + spouse",
    employee_children: "Employee + children", family: "Family",
  };
  var RELATIONSHIPS = { spouse: "Spouse", domestic_partner: "Domestic partner", child: "Child" };
  var STATUSES = { submitted: "Submitted", waived: "Waived", active: "Active", terminated: "Terminated" };
  var WINDOWS = { open_enrollment: "Open enrollment", new_hire: "New-hire enrollment", special: "Special enrollment" };
  var WAIVE_REASONS = [
    "I have coverage through my spouse or partner",
    "I have coverage through another employer or plan",
    "I have coverage through a government program",
    "I do not want this coverage",
  ];

  var root = null;
  var announcer = null;
  var state = {
    tab: "overview",
    overview: null, // GET overview
    dependents: null, // [Dependent]
    flow: null, // the enrollment under way, see newFlow
    editing: "", // the dependent being edited ("new" for a new one)
    notice: null, // {kind: "success"|"error", text}
  };

  // ---- Helpers -----------------------------------------------------------

  // h makes an element: attributes (aria-*, data-*, and a few properties)
  // and children (nodes or text; null and false are skipped).
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === "text") {
        el.textContent = value;
      } else if (name === "on") {
        Object.keys(value).forEach(function (type) {
          el.addEventListener(type, value[type]);
        });
      } else if (name === "checked" || name === "value" || name === "disabled") {
        el[name] = value;
      } else {
        el.setAttribute(name === "className" ? "class" : name, value === true ? "" : value);
      }
    });
    for (var i = 2; i < arguments.length; i++) {
      append(el, arguments[i]);
    }
    return el;
  }

  function append(el, child) {
    if (Array.isArray(child)) {
      child.forEach(function (c) {
        append(el, c);
      });
    } else if (child !== null && child !== undefined && child !== false) {
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }

  var uid = 0;
  function id(prefix) {
    uid++;
    return "ed-" + prefix + "-" + uid;
  }

  function money(cents, currency) {
    try {
      return new Intl.NumberFormat("en-US", { style: "currency", currency: currency || "USD" }).format((cents || 0) / 100);
    } catch (e) {
      return ((cents || 0) / 100).toFixed(2) + " " + currency;
    }
  }

  function date(iso) {
    if (!iso) {
      return "";
    }
    var d = new Date(String(iso).slice(0, 10) + "T00:00:00Z");
    return isNaN(d) ? String(iso) : d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
  }

  function fullName(p) {
    return [p.first_name, p.last_name].filter(Boolean).join(" ");
  }

  function announce(text) {
    if (announcer) {
      announcer.textContent = "";
      window.setTimeout(function () {
        announcer.textContent = text;
      }, 30);
    }
  }

  // call sends a widget API request and resolves to its JSON (null for
  // 204), or rejects with {status, code, message} from the problem
  // document.
  function call(method, path, body) {
    var init = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return widget.request(API + path, init).then(
      function (res) {
        if (res.status === 204) {
          return null;
        }
        return res
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            if (res.ok) {
              return data;
            }
            return Promise.reject({
              status: res.status,
              code: (data && data.code) || "http_" + res.status,
              message: (data && (data.detail || data.title)) || "The request failed.",
            });
          });
      },
      function () {
        return Promise.reject({ status: 0, code: "network_error", message: "Oriel could not be reached. Check your connection and try again." });
      }
    );
  }

  // report tells the host page of a failure the employee cannot fix here.
  function report(err) {
    if (err && err.status !== 401 && err.status !== 403) {
      widget.post("error", { code: err.code, message: err.message });
    }
  }

  function windowOpen() {
    return !!(state.overview && state.overview.window);
  }

  function currency() {
    return (state.overview && state.overview.currency) || "USD";
  }

  function perPeriod() {
    return "per pay period";
  }

  // ---- Loading -----------------------------------------------------------

  function start() {
    root = document.getElementById("employee-dashboard");
    announcer = document.getElementById("ed-announcer");
    if (!root || !widget) {
      return;
    }
    load();
  }

  function load() {
    root.setAttribute("aria-busy", "true");
    Promise.all([call("GET", "overview"), call("GET", "dependents")]).then(
      function (results) {
        state.overview = results[0];
        state.dependents = (results[1] && results[1].data) || [];
        root.removeAttribute("aria-busy");
        render();
      },
      function (err) {
        root.removeAttribute("aria-busy");
        report(err);
        if (err.status === 401 || err.status === 403) {
          return; // the bridge or the session shows why
        }
        root.replaceChildren(
          problem("Your benefits could not be loaded", err.message, function () {
            root.replaceChildren(loading());
            load();
          })
        );
      }
    );
  }

  function reloadOverview() {
    return Promise.all([call("GET", "overview"), call("GET", "dependents")]).then(function (results) {
      state.overview = results[0];
      state.dependents = (results[1] && results[1].data) || [];
    });
  }

  function loading() {
    return h("div", { className: "ed-loading", "aria-hidden": "true" },
      h("span", { className: "skeleton skeleton-line" }),
      h("span", { className: "skeleton ed-skeleton-card" }),
      h("span", { className: "skeleton ed-skeleton-card" }));
  }

  function problem(title, text, retry) {
    return h("div", { className: "state", role: "alert" },
      h("span", { className: "icon-tile icon-tile-danger", "aria-hidden": "true", text: "!" }),
      h("h2", { className: "state-title", text: title }),
      h("p", { className: "state-text", text: text }),
      retry && h("button", { type: "button", className: "btn btn-secondary", text: "Try again", on: { click: retry } }));
  }

  function empty(title, text, action) {
    return h("div", { className: "state ed-empty" },
      h("h3", { className: "state-title", text: title }),
      h("p", { className: "state-text", text: text }),
      action || null);
  }

  // ---- Shell: tabs -------------------------------------------------------

  var TABS = [
    ["overview", "Overview"],
    ["enroll", "Enroll"],
    ["dependents", "Dependents"],
  ];

  function render(focusSelector) {
    var tablist = h("div", { className: "ed-tabs", role: "tablist", "aria-label": "Benefits" });
    TABS.forEach(function (t) {
      var selected = state.tab === t[0];
      tablist.appendChild(h("button", {
        type: "button", role: "tab", id: "ed-tab-" + t[0], className: "ed-tab",
        "aria-selected": selected ? "true" : "false", "aria-controls": "ed-panel", tabindex: selected ? "0" : "-1",
        "data-tab": t[0], text: t[1],
        on: { click: function () { selectTab(t[0], true); } },
      }));
    });
    tablist.addEventListener("keydown", onTabKey);
    var panel = h("div", { id: "ed-panel", className: "ed-panel", role: "tabpanel", "aria-labelledby": "ed-tab-" + state.tab, tabindex: "-1" });
    if (state.notice) {
      panel.appendChild(h("div", { className: "ed-notice ed-notice-" + state.notice.kind, role: state.notice.kind === "error" ? "alert" : "status" },
        h("p", { text: state.notice.text })));
    }
    if (state.tab === "overview") {
      renderOverview(panel);
    } else if (state.tab === "enroll") {
      renderEnroll(panel);
    } else {
      renderDependents(panel);
    }
    root.replaceChildren(header(), tablist, panel);
    if (focusSelector) {
      var target = root.querySelector(focusSelector);
      if (target) {
        target.focus();
      }
    }
  }

  function selectTab(tab, focusTab) {
    state.tab = tab;
    state.notice = null;
    state.editing = "";
    if (tab !== "enroll") {
      state.flow = null;
    }
    render(focusTab ? "#ed-tab-" + tab : null);
  }

  function onTabKey(event) {
    var index = TABS.map(function (t) { return t[0]; }).indexOf(state.tab);
    var next = -1;
    if (event.key === "ArrowRight") {
      next = (index + 1) % TABS.length;
    } else if (event.key === "ArrowLeft") {
      next = (index + TABS.length - 1) % TABS.length;
    } else if (event.key === "Home") {
      next = 0;
    } else if (event.key === "End") {
      next = TABS.length - 1;
    }
    if (next >= 0) {
      event.preventDefault();
      selectTab(TABS[next][0], true);
    }
  }

  function header() {
    var o = state.overview;
    var w = o.window;
    var banner;
    if (w) {
      banner = h("p", { className: "ed-window ed-window-open" },
        h("span", { className: "ed-dot", "aria-hidden": "true" }),
        (WINDOWS[w.kind] || "Enrollment") + " is open until " + date(w.ends_on) + ".");
    } else if (o.next_window) {
      banner = h("p", { className: "ed-window" },
        "Enrollment is closed. " + (WINDOWS[o.next_window.kind] || "The next window") + " opens " + date(o.next_window.starts_on) + ".");
    } else {
      banner = h("p", { className: "ed-window" }, "Enrollment is closed. You can view your coverage; no enrollment window is scheduled yet.");
    }
    return h("header", { className: "ed-header" },
      h("div", null,
        h("h1", { text: "Your benefits" }),
        h("p", { className: "muted", text: (o.employee && o.employee.name) || "" })),
      banner);
  }

  // ---- Overview ----------------------------------------------------------

  function renderOverview(panel) {
    var o = state.overview;
    var rows = o.coverage || [];
    if (!rows.length) {
      panel.appendChild(empty("No benefits offered yet", "Your employer has not published any plans. They will appear here once they do."));
      return;
    }
    var total = 0;
    var list = h("ul", { className: "ed-coverage", "aria-label": "Your coverage" });
    rows.forEach(function (row) {
      var e = row.election;
      if (e && !e.waived && e.status !== "terminated") {
        total += e.employee_per_pay_period_cents || 0;
      }
      list.appendChild(coverageRow(row.plan_kind, e));
    });
    panel.appendChild(list);
    panel.appendChild(h("div", { className: "ed-total" },
      h("span", { text: "Your total " + perPeriod() }),
      h("strong", { className: "ed-money", text: money(total, currency()) })));
  }

  function coverageRow(kind, e) {
    var status;
    var details = [];
    if (!e) {
      status = h("span", { className: "ed-badge", text: "Not enrolled" });
      details.push(h("p", { className: "muted", text: windowOpen() ? "Choose a plan or waive this coverage." : "No election." }));
    } else if (e.waived) {
      status = h("span", { className: "ed-badge ed-badge-muted", text: "Waived" });
      details.push(h("p", { className: "muted", text: e.waive_reason ? "Reason: " + e.waive_reason : "You waived this coverage." }));
    } else {
      status = h("span", { className: "ed-badge ed-badge-" + e.status, text: STATUSES[e.status] || e.status });
      var covered = ["You"].concat((e.dependents || []).map(function (d) {
        return fullName(d) + " (" + (RELATIONSHIPS[d.relationship] || d.relationship).toLowerCase() + ")";
      }));
      details.push(h("p", { className: "ed-plan-name", text: e.plan_name || "" }));
      details.push(h("dl", { className: "ed-facts" },
        fact("Tier", TIERS[e.tier] || e.tier),
        fact("Covered", covered.join(", ")),
        fact("Your cost", money(e.employee_per_pay_period_cents, e.currency) + " " + perPeriod()),
        fact("Effective", e.effective_date ? date(e.effective_date) : "Once your employer approves it")));
    }
    var action = windowOpen() && h("button", {
      type: "button", className: "btn btn-secondary btn-small", "data-kind": kind,
      "aria-label": (e ? "Change " : "Choose ") + (KINDS[kind] || kind).toLowerCase() + " coverage",
      text: e ? "Change" : "Choose",
      on: { click: function () { startFlow(kind); } },
    });
    return h("li", { className: "ed-row card" },
      h("div", { className: "ed-row-head" },
        h("h2", { text: KINDS[kind] || kind }),
        status,
        action || null),
      details);
  }

  function fact(name, value) {
    return [h("dt", { text: name }), h("dd", { text: value })];
  }

  // ---- Enroll ------------------------------------------------------------

  // A flow is one enrollment under way for one kind of plan:
  //   step      "kinds", "compare", "coverage", "waive" or "review"
  //   plans     the kind's plans (null while loading), error
  //   plan      the chosen plan, tier, dependentIDs, waive, reason
  function newFlow(kind) {
    return { kind: kind, step: kind ? "compare" : "kinds", plans: null, error: null, plan: null, tier: "employee", dependentIDs: [], waive: false, reason: "", busy: false, fieldError: "" };
  }

  function startFlow(kind) {
    state.tab = "enroll";
    state.notice = null;
    state.flow = newFlow(kind);
    if (kind) {
      loadPlans();
    }
    render("#ed-panel");
  }

  function loadPlans() {
    var flow = state.flow;
    call("GET", "plans?kind=" + encodeURIComponent(flow.kind)).then(
      function (res) {
        if (state.flow === flow) {
          flow.plans = (res && res.data) || [];
          render();
        }
      },
      function (err) {
        if (state.flow === flow) {
          flow.error = err;
          report(err);
          render();
        }
      }
    );
  }

  function renderEnroll(panel) {
    var flow = state.flow;
    if (!windowOpen()) {
      var next = state.overview.next_window;
      panel.appendChild(empty("Enrollment is closed",
        next ? "You can change your elections from " + date(next.starts_on) + " to " + date(next.ends_on) + ". Until then, your current coverage stays as it is."
          : "You can change your elections during open enrollment, as a new hire, or after a qualifying life event.",
        h("button", { type: "button", className: "btn btn-secondary", text: "See your coverage", on: { click: function () { selectTab("overview"); } } })));
      return;
    }
    if (!flow || flow.step === "kinds") {
      state.flow = flow = newFlow("");
      renderKinds(panel);
      return;
    }
    panel.appendChild(steps(flow));
    if (flow.step === "compare") {
      renderCompare(panel, flow);
    } else if (flow.step === "coverage") {
      renderCoverage(panel, flow);
    } else if (flow.step === "waive") {
      renderWaive(panel, flow);
    } else {
      renderReview(panel, flow);
    }
  }

  function renderKinds(panel) {
    var rows = state.overview.coverage || [];
    if (!rows.length) {
      panel.appendChild(empty("No plans to enroll in", "Your employer has not published any plans yet."));
      return;
    }
    panel.appendChild(h("h2", { className: "ed-step-title", text: "What would you like to enroll in?" }));
    var list = h("ul", { className: "ed-kinds" });
    rows.forEach(function (row) {
      var e = row.election;
      var hint = !e ? "Not enrolled" : e.waived ? "Waived" : e.plan_name || STATUSES[e.status];
      list.appendChild(h("li", null, h("button", {
        type: "button", className: "ed-kind card", "data-kind": row.plan_kind,
        on: { click: function () { startFlow(row.plan_kind); } },
      }, h("span", { className: "ed-kind-name", text: KINDS[row.plan_kind] || row.plan_kind }), h("span", { className: "muted", text: hint }))));
    });
    panel.appendChild(list);
  }

  function steps(flow) {
    var names = flow.waive ? [["compare", "Compare plans"], ["waive", "Reason"], ["review", "Review and sign"]]
      : [["compare", "Compare plans"], ["coverage", "Who is covered"], ["review", "Review and sign"]];
    var current = names.map(function (n) { return n[0]; }).indexOf(flow.step);
    var ol = h("ol", { className: "ed-steps", "aria-label": (KINDS[flow.kind] || flow.kind) + " enrollment steps" });
    names.forEach(function (n, i) {
      ol.appendChild(h("li", { className: i < current ? "done" : i === current ? "current" : "", "aria-current": i === current ? "step" : null },
        h("span", { className: "ed-step-num", "aria-hidden": "true", text: String(i + 1) }), n[1]));
    });
    return h("div", { className: "ed-flow-head" },
      h("button", { type: "button", className: "btn btn-ghost btn-small", text: "← All benefits", on: { click: function () { startFlow(""); } } }),
      h("h2", { className: "ed-step-title", text: KINDS[flow.kind] || flow.kind }),
      ol);
  }

  function costOf(plan, tier) {
    var t = (plan.tiers || []).filter(function (x) { return x.tier === tier; })[0];
    return t || null;
  }

  function renderCompare(panel, flow) {
    if (flow.error) {
      panel.appendChild(problem("The plans could not be loaded", flow.error.message, function () {
        flow.error = null;
        loadPlans();
        render();
      }));
      return;
    }
    if (!flow.plans) {
      panel.appendChild(loading());
      return;
    }
    var form = h("form", { className: "ed-form", novalidate: true, on: { submit: function (event) {
      event.preventDefault();
      if (!flow.plan && !flow.waive) {
        flow.fieldError = "Choose a plan, or waive this coverage.";
        render("#ed-compare-error");
        return;
      }
      flow.fieldError = "";
      flow.step = flow.waive ? "waive" : "coverage";
      render("#ed-panel");
    } } });
    var group = h("fieldset", { className: "ed-compare-set" },
      h("legend", { className: "visually-hidden", text: "Choose a " + (KINDS[flow.kind] || flow.kind).toLowerCase() + " plan" }));
    if (!flow.plans.length) {
      group.appendChild(empty("No plans offered", "Your employer offers no " + (KINDS[flow.kind] || flow.kind).toLowerCase() + " plan this year. You can waive this coverage."));
    } else {
      var grid = h("div", { className: "ed-compare", role: "list" });
      flow.plans.forEach(function (plan) {
        grid.appendChild(planCard(plan, flow));
      });
      group.appendChild(grid);
    }
    var waiveId = id("waive");
    group.appendChild(h("label", { className: "ed-waive-option", "for": waiveId },
      h("input", { type: "radio", name: "ed-plan", id: waiveId, value: "waive", checked: flow.waive,
        on: { change: function () { flow.waive = true; flow.plan = null; markChosen(form); } } }),
      h("span", null, h("strong", { text: "Waive " + (KINDS[flow.kind] || flow.kind).toLowerCase() + " coverage" }),
        h("span", { className: "muted", text: " — you will not be covered by any of these plans." }))));
    form.appendChild(group);
    form.appendChild(h("p", { id: "ed-compare-error", className: "field-error", role: "alert", tabindex: "-1", text: flow.fieldError, hidden: !flow.fieldError }));
    form.appendChild(h("div", { className: "actions" }, h("button", { type: "submit", className: "btn btn-primary", text: "Continue" })));
    panel.appendChild(form);
  }

  function markChosen(form) {
    form.querySelectorAll(".ed-plan").forEach(function (card) {
      card.classList.toggle("chosen", card.querySelector("input").checked);
    });
  }

  function planCard(plan, flow) {
    var inputId = id("plan");
    var titleId = id("plan-title");
    var own = costOf(plan, "employee");
    var copays = plan.copays || {};
    var cur = plan.currency || currency();
    var chosen = flow.plan && flow.plan.id === plan.id;
    return h("div", { className: "ed-plan card" + (chosen ? " chosen" : ""), role: "listitem", "data-plan": plan.name },
      h("div", { className: "ed-plan-top" },
        h("h3", { id: titleId, text: plan.name }),
        h("p", { className: "muted", text: [plan.carrier, plan.network_type].filter(Boolean).join(" · ") })),
      h("p", { className: "ed-plan-price" },
        h("strong", { text: own ? money(own.employee_per_pay_period_cents, cur) : "—" }),
        h("span", { className: "muted", text: " " + perPeriod() + ", you only" })),
      h("dl", { className: "ed-facts ed-plan-facts" },
        fact("Deductible", money(plan.deductible_cents, cur)),
        fact("Out-of-pocket max", money(plan.out_of_pocket_max_cents, cur)),
        fact("Primary care", money(copays.primary_care_cents, cur)),
        fact("Specialist", money(copays.specialist_cents, cur)),
        fact("Urgent care", money(copays.urgent_care_cents, cur)),
        fact("Emergency room", money(copays.emergency_cents, cur))),
      plan.summary_url && /^https:\/\//.test(plan.summary_url) ? h("a", { className: "ed-link", href: plan.summary_url, target: "_blank", rel: "noopener noreferrer", text: "Summary of benefits", "aria-label": "Summary of benefits for " + plan.name + " (opens a new tab)" }) : null,
      h("label", { className: "ed-choose", "for": inputId },
        h("input", { type: "radio", name: "ed-plan", id: inputId, value: plan.id, checked: chosen, "aria-describedby": titleId,
          on: { change: function () { flow.plan = plan; flow.waive = false; markChosen(root); } } }),
        h("span", { text: "Choose " + plan.name })));
  }

  // tierFor is the tier that covers exactly the chosen dependents.
  function tierFor(ids) {
    var spouse = false;
    var child = false;
    state.dependents.forEach(function (d) {
      if (ids.indexOf(d.id) >= 0) {
        if (d.relationship === "child") {
          child = true;
        } else {
          spouse = true;
        }
      }
    });
    return spouse && child ? "family" : spouse ? "employee_spouse" : child ? "employee_children" : "employee";
  }

  function renderCoverage(panel, flow) {
    var plan = flow.plan;
    var cur = plan.currency || currency();
    var form = h("form", { className: "ed-form", novalidate: true, on: { submit: function (event) {
      event.preventDefault();
      var spouses = state.dependents.filter(function (d) { return flow.dependentIDs.indexOf(d.id) >= 0 && d.relationship !== "child"; }).length;
      if (spouses > 1) {
        flow.fieldError = "Choose at most one spouse or domestic partner.";
      } else if (tierFor(flow.dependentIDs) !== flow.tier) {
        flow.fieldError = TIERS[flow.tier] + " does not match who you chose to cover. Choose " + TIERS[tierFor(flow.dependentIDs)] + ", or change who is covered.";
      } else if (!costOf(plan, flow.tier)) {
        flow.fieldError = plan.name + " is not offered for " + TIERS[flow.tier] + ".";
      } else {
        flow.fieldError = "";
        flow.step = "review";
        render("#ed-panel");
        return;
      }
      render("#ed-coverage-error");
    } } });
    var people = h("fieldset", { className: "ed-fieldset" }, h("legend", { text: "Who will be covered?" }));
    people.appendChild(h("label", { className: "ed-check" }, h("input", { type: "checkbox", checked: true, disabled: true }), h("span", { text: "You" })));
    state.dependents.forEach(function (d) {
      var box = h("input", { type: "checkbox", value: d.id, checked: flow.dependentIDs.indexOf(d.id) >= 0, on: { change: function () {
        flow.dependentIDs = state.dependents.filter(function (x) {
          return x.id === d.id ? box.checked : flow.dependentIDs.indexOf(x.id) >= 0;
        }).map(function (x) { return x.id; });
        flow.tier = tierFor(flow.dependentIDs);
        flow.fieldError = "";
        var radio = form.querySelector("input[name=ed-tier][value=" + flow.tier + "]");
        if (radio) {
          radio.checked = true;
        }
        announce("Tier set to " + TIERS[flow.tier]);
      } } });
      people.appendChild(h("label", { className: "ed-check" }, box,
        h("span", { text: fullName(d) }), h("span", { className: "muted", text: " · " + (RELATIONSHIPS[d.relationship] || d.relationship) })));
    });
    people.appendChild(h("p", { className: "field-help" }, state.dependents.length ? "Missing someone? " : "You have no dependents on file. ",
      h("button", { type: "button", className: "ed-linkbtn", text: "Add a dependent", on: { click: function () {
        state.tab = "dependents";
        state.editing = "new";
        render("#ed-dep-first");
      } } })));
    form.appendChild(people);

    var tiers = h("fieldset", { className: "ed-fieldset" }, h("legend", { text: "Coverage tier" }));
    (plan.tiers || []).forEach(function (t) {
      tiers.appendChild(h("label", { className: "ed-tier" },
        h("input", { type: "radio", name: "ed-tier", value: t.tier, checked: flow.tier === t.tier, on: { change: function () { flow.tier = t.tier; } } }),
        h("span", { className: "ed-tier-name", text: TIERS[t.tier] || t.tier }),
        h("span", { className: "ed-money", text: money(t.employee_per_pay_period_cents, cur) }),
        h("span", { className: "muted ed-tier-per", text: perPeriod() })));
    });
    form.appendChild(tiers);
    form.appendChild(h("p", { id: "ed-coverage-error", className: "field-error", role: "alert", tabindex: "-1", text: flow.fieldError, hidden: !flow.fieldError }));
    form.appendChild(h("div", { className: "actions" },
      h("button", { type: "button", className: "btn btn-ghost", text: "Back", on: { click: function () { flow.step = "compare"; render("#ed-panel"); } } }),
      h("button", { type: "submit", className: "btn btn-primary", text: "Review" })));
    panel.appendChild(form);
  }

  function renderWaive(panel, flow) {
    var selectId = id("reason");
    var form = h("form", { className: "ed-form", novalidate: true, on: { submit: function (event) {
      event.preventDefault();
      if (!flow.reason) {
        flow.fieldError = "Choose why you are waiving this coverage.";
        render("#" + selectId);
        return;
      }
      flow.fieldError = "";
      flow.step = "review";
      render("#ed-panel");
    } } });
    var select = h("select", { id: selectId, className: "input", "aria-invalid": flow.fieldError ? "true" : null, "aria-describedby": selectId + "-error",
      on: { change: function () { flow.reason = select.value; } } },
      h("option", { value: "", text: "Choose a reason" }),
      WAIVE_REASONS.map(function (r) { return h("option", { value: r, text: r }); }));
    select.value = flow.reason;
    form.appendChild(h("div", { className: "field" + (flow.fieldError ? " field-invalid" : "") },
      h("label", { className: "field-label", "for": selectId, text: "Why are you waiving " + (KINDS[flow.kind] || flow.kind).toLowerCase() + " coverage?" }),
      select,
      h("p", { id: selectId + "-error", className: "field-error", text: flow.fieldError, hidden: !flow.fieldError })));
    form.appendChild(h("div", { className: "actions" },
      h("button", { type: "button", className: "btn btn-ghost", text: "Back", on: { click: function () { flow.step = "compare"; flow.fieldError = ""; render("#ed-panel"); } } }),
      h("button", { type: "submit", className: "btn btn-primary", text: "Review" })));
    panel.appendChild(form);
  }

  // otherTotal is what the employee pays per period for the other kinds.
  function otherTotal(kind) {
    var total = 0;
    (state.overview.coverage || []).forEach(function (row) {
      var e = row.election;
      if (row.plan_kind !== kind && e && !e.waived && e.status !== "terminated") {
        total += e.employee_per_pay_period_cents || 0;
      }
    });
    return total;
  }

  function renderReview(panel, flow) {
    var cur = currency();
    var summary;
    var cost = 0;
    if (flow.waive) {
      summary = h("dl", { className: "ed-facts ed-review" },
        fact("Coverage", "Waived"),
        fact("Reason", flow.reason));
    } else {
      var tier = costOf(flow.plan, flow.tier);
      cost = tier.employee_per_pay_period_cents;
      var covered = ["You"].concat(state.dependents.filter(function (d) { return flow.dependentIDs.indexOf(d.id) >= 0; }).map(fullName));
      summary = h("dl", { className: "ed-facts ed-review" },
        fact("Plan", flow.plan.name + (flow.plan.carrier ? " · " + flow.plan.carrier : "")),
        fact("Tier", TIERS[flow.tier]),
        fact("Covered", covered.join(", ")),
        fact("Your cost", money(cost, cur) + " " + perPeriod()),
        fact("Your employer pays", money(tier.employer_per_pay_period_cents, cur) + " " + perPeriod()));
    }
    var nameId = id("attest");
    var expected = (state.overview.employee && state.overview.employee.name) || "";
    var input = h("input", { id: nameId, className: "input", type: "text", autocomplete: "name", value: flow.attestation || "",
      "aria-describedby": nameId + "-help " + nameId + "-error", "aria-invalid": flow.fieldError ? "true" : null,
      on: { input: function () { flow.attestation = input.value; } } });
    var submit = h("button", { type: "submit", className: "btn btn-primary" + (flow.busy ? " is-busy" : ""), disabled: flow.busy },
      h("span", { className: "spinner", "aria-hidden": "true" }), h("span", { className: "btn-label", text: flow.waive ? "Submit waiver" : "Submit election" }));
    var form = h("form", { className: "ed-form", novalidate: true, on: { submit: function (event) {
      event.preventDefault();
      var typed = (flow.attestation || "").trim();
      if (!typed) {
        flow.fieldError = "Type your full name to sign.";
      } else if (expected && typed.replace(/\s+/g, " ").toLowerCase() !== expected.trim().replace(/\s+/g, " ").toLowerCase()) {
        flow.fieldError = "Type your full name as your employer has it: " + expected + ".";
      } else {
        flow.fieldError = "";
        submitFlow(flow, typed);
        return;
      }
      render("#" + nameId);
    } } },
      summary,
      h("div", { className: "ed-total" },
        h("span", { text: "Your total for all benefits " + perPeriod() }),
        h("strong", { className: "ed-money", text: money(otherTotal(flow.kind) + cost, cur) })),
      h("div", { className: "field" + (flow.fieldError ? " field-invalid" : "") },
        h("label", { className: "field-label", "for": nameId, text: "Your full name" }),
        h("p", { id: nameId + "-help", className: "field-help", text: "By typing your name you confirm that these choices are yours and correct. Your employer keeps it, with the time, as your signature." }),
        input,
        h("p", { id: nameId + "-error", className: "field-error", text: flow.fieldError, hidden: !flow.fieldError })),
      h("div", { className: "actions" },
        h("button", { type: "button", className: "btn btn-ghost", text: "Back", disabled: flow.busy, on: { click: function () { flow.step = flow.waive ? "waive" : "coverage"; flow.fieldError = ""; render("#ed-panel"); } } }),
        submit));
    panel.appendChild(form);
  }

  function submitFlow(flow, typed) {
    var body = { plan_kind: flow.kind, attestation: { full_name: typed } };
    if (flow.waive) {
      body.waive = true;
      body.waive_reason = flow.reason;
    } else {
      body.plan_id = flow.plan.id;
      body.tier = flow.tier;
      body.dependent_ids = flow.dependentIDs;
    }
    flow.busy = true;
    render();
    call("POST", "elections", body).then(
      function (election) {
        widget.post("enrollmentSubmitted", { plan_kind: flow.kind, election_id: election.id, waived: !!election.waived });
        var text = flow.waive ? (KINDS[flow.kind] || flow.kind) + " coverage waived." : "Your " + (KINDS[flow.kind] || flow.kind).toLowerCase() + " election was submitted.";
        return reloadOverview().then(function () {
          state.flow = null;
          state.tab = "overview";
          state.notice = { kind: "success", text: text };
          render("#ed-panel");
        });
      },
      function (err) {
        flow.busy = false;
        if (err.status === 422 || err.status === 409) {
          flow.fieldError = err.message;
        } else {
          report(err);
          flow.fieldError = err.message;
        }
        render("#ed-panel");
      }
    );
  }

  // ---- Dependents --------------------------------------------------------

  function renderDependents(panel) {
    panel.appendChild(h("div", { className: "ed-section-head" },
      h("h2", { text: "Dependents" }),
      state.editing !== "new" && h("button", { type: "button", className: "btn btn-secondary btn-small", text: "Add dependent",
        on: { click: function () { state.editing = "new"; state.notice = null; render("#ed-dep-first"); } } })));
    if (state.editing === "new") {
      panel.appendChild(dependentForm(null));
    }
    if (!state.dependents.length && state.editing !== "new") {
      panel.appendChild(empty("No dependents yet", "Add your spouse, domestic partner or children to cover them in your plans."));
      return;
    }
    var list = h("ul", { className: "ed-deps" });
    state.dependents.forEach(function (d) {
      if (state.editing === d.id) {
        list.appendChild(h("li", { className: "ed-dep card" }, dependentForm(d)));
        return;
      }
      list.appendChild(h("li", { className: "ed-dep card" },
        h("div", { className: "ed-dep-main" },
          h("span", { className: "avatar", "aria-hidden": "true", text: ((d.first_name || "?")[0] + (d.last_name || "")[0]).toUpperCase() }),
          h("div", null,
            h("p", { className: "ed-dep-name", text: fullName(d) }),
            h("p", { className: "muted", text: (RELATIONSHIPS[d.relationship] || d.relationship) + " · born " + date(d.date_of_birth) }))),
        h("div", { className: "actions" },
          h("button", { type: "button", className: "btn btn-ghost btn-small", text: "Edit", "aria-label": "Edit " + fullName(d),
            on: { click: function () { state.editing = d.id; state.notice = null; render("#ed-dep-first"); } } }),
          h("button", { type: "button", className: "btn btn-quiet btn-small", text: "Remove", "aria-label": "Remove " + fullName(d),
            on: { click: function (event) { removeDependent(d, event.currentTarget); } } }))));
    });
    panel.appendChild(list);
  }

  function dependentForm(d) {
    var values = d || { relationship: "spouse", first_name: "", last_name: "", date_of_birth: "" };
    var errorId = id("dep-error");
    var rel = h("select", { id: "ed-dep-rel", className: "input" },
      Object.keys(RELATIONSHIPS).map(function (r) { return h("option", { value: r, text: RELATIONSHIPS[r] }); }));
    rel.value = values.relationship;
    var first = h("input", { id: "ed-dep-first", className: "input", type: "text", autocomplete: "off", value: values.first_name });
    var last = h("input", { id: "ed-dep-last", className: "input", type: "text", autocomplete: "off", value: values.last_name });
    var born = h("input", { id: "ed-dep-dob", className: "input", type: "date", value: values.date_of_birth });
    var error = h("p", { id: errorId, className: "field-error", role: "alert", hidden: true });
    var save = h("button", { type: "submit", className: "btn btn-primary" },
      h("span", { className: "spinner", "aria-hidden": "true" }), h("span", { className: "btn-label", text: d ? "Save" : "Add dependent" }));
    function field(input, label) {
      return h("div", { className: "field" }, h("label", { className: "field-label", "for": input.id, text: label }), input);
    }
    var form = h("form", { className: "ed-form ed-dep-form", novalidate: true, "aria-label": d ? "Edit " + fullName(d) : "Add a dependent", on: { submit: function (event) {
      event.preventDefault();
      var body = { relationship: rel.value, first_name: first.value.trim(), last_name: last.value.trim(), date_of_birth: born.value };
      var missing = !body.first_name ? first : !body.last_name ? last : !body.date_of_birth ? born : null;
      if (missing) {
        error.textContent = "Fill in every field: relationship, first and last name, date of birth.";
        error.hidden = false;
        missing.focus();
        return;
      }
      save.disabled = true;
      save.classList.add("is-busy");
      (d ? call("PATCH", "dependents/" + encodeURIComponent(d.id), body) : call("POST", "dependents", body)).then(
        function (saved) {
          state.dependents = d ? state.dependents.map(function (x) { return x.id === d.id ? saved : x; }) : state.dependents.concat([saved]);
          state.editing = "";
          state.notice = { kind: "success", text: fullName(saved) + (d ? " was updated." : " was added.") };
          if (state.flow && !d) {
            state.tab = "enroll"; // back to the enrollment that sent the employee here
          }
          render("#ed-panel");
        },
        function (err) {
          save.disabled = false;
          save.classList.remove("is-busy");
          error.textContent = err.message;
          error.hidden = false;
          if (err.status !== 422 && err.status !== 409) {
            report(err);
          }
        }
      );
    } } },
      h("div", { className: "ed-grid" }, field(first, "First name"), field(last, "Last name"), field(rel, "Relationship"), field(born, "Date of birth")),
      error,
      h("div", { className: "actions" },
        h("button", { type: "button", className: "btn btn-ghost", text: "Cancel", on: { click: function () { state.editing = ""; render("#ed-panel"); } } }),
        save));
    return form;
  }

  function removeDependent(d, button) {
    if (button.dataset.confirm !== "true") {
      button.dataset.confirm = "true";
      button.textContent = "Confirm removal";
      button.classList.add("btn-danger");
      announce("Press again to remove " + fullName(d));
      return;
    }
    button.disabled = true;
    call("DELETE", "dependents/" + encodeURIComponent(d.id)).then(
      function () {
        state.dependents = state.dependents.filter(function (x) { return x.id !== d.id; });
        state.notice = { kind: "success", text: fullName(d) + " was removed." };
        render("#ed-panel");
      },
      function (err) {
        state.notice = { kind: "error", text: err.message };
        if (err.status !== 409) {
          report(err);
        }
        render("#ed-panel");
      }
    );
  }

  if (widget) {
    widget.ready(start);
  }
})();
