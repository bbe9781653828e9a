/*
 * Oriel employee dashboard: an employee's benefits, on its own page
 * (/widgets/employee-dashboard, /direct_link/embedded/employee-dashboard) and
 * as the workspace's Benefits section. Plain ES2019 on top of widget.js
 * (window.OrielWidget); no build step, no dependencies, no request to any
 * other origin.
 *
 * Five screens, as tabs: Overview (current coverage per kind of plan, the
 * total per pay period, the enrollment window), Enroll (compare the plans of
 * a kind side by side, choose who is covered and the tier, review the cost
 * per pay period, type one's full name and submit; or waive with a reason)
 * Dependents (add, edit, remove), Life events (report one with its date,
 * a note and supporting documents; see each one's status, the special window
 * an approval opened with its deadline; withdraw one still pending) and
 * Appointments (book one: a type, a day, a free slot in the browser's time
 * zone, for whom, the intake questions, confirm; see upcoming and past ones,
 * reschedule or cancel before the cut-off, download the .ics). It reads
 * and writes the benefits widget API (/widget-api/benefits/…), the life
 * events API (/widget-api/life-events, /widget-api/life-event-documents) and
 * the appointments API (/widget-api/appointments…), renders with textContent
 * only, never markup, and tells the host page of every submitted election
 * (enrollmentSubmitted {plan_kind, election_id, waived}), every reported life
 * event (lifeEventSubmitted {event_id, type}), every appointment booked,
 * rescheduled or cancelled (appointmentBooked, appointmentRescheduled,
 * appointmentCancelled {appointment_id, type, type_name, start, end}, and
 * previous_start when rescheduled) and of failures it cannot handle itself
 * (error {code, message}). widget.js reports the height as it changes.
 */
(function () {
  "use strict";

  var widget = window.OrielWidget;
  var API = "/widget-api/benefits/";
  var LIFE_API = "/widget-api/life-events";
  var DOCUMENTS_API = "/widget-api/life-event-documents";

  var KINDS = {
    medical: "Medical", dental: "Dental", vision: "Vision", life: "Life", disability: "Disability",
    accident: "Accident", hospital: "Hospital indemnity", telehealth: "Telehealth", hsa: "HSA", fsa: "FSA", other: "Other",
  };
  var TIERS = {
    employee: "Employee only", employee_spouse: "Employee + spouse",
    employee_children: "Employee + children", family: "Family",
  };
  var LIFE_EVENTS = {
    marriage: "Marriage", divorce: "Divorce or legal separation", birth: "Birth of a child",
    adoption: "Adoption or foster placement", death_of_dependent: "Death of a dependent",
    loss_of_coverage: "Loss of other coverage", gain_of_coverage: "Gain of other coverage",
    relocation: "Move to a new coverage area", employment_change: "Change in employment status", other: "Other",
  };
  var LIFE_EVENT_STATUSES = { submitted: "Pending review", approved: "Approved", denied: "Denied", withdrawn: "Withdrawn" };
  var DOCUMENT_TYPES = ".pdf,.png,.jpg,.jpeg,.heic,application/pdf,image/png,image/jpeg,image/heic";
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
    life: null, // GET /widget-api/life-events: {data, rules, max_document_bytes, max_documents_per_event, today}
    reporting: false, // the life-event form is open
    appts: null, // the Appointments tab's data, see loadAppointments
    booking: null, // the booking (or rescheduling) under way, see newBooking
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
  // A path that starts with "/" is taken as is, any other under API; a
  // Blob body (a file) is sent as it is, anything else as JSON.
  function call(method, path, body) {
    var init = { method: method, headers: { Accept: "application/json" } };
    if (body instanceof Blob) {
      init.headers["Content-Type"] = "application/octet-stream";
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return widget.request(path.charAt(0) === "/" ? path : API + path, init).then(
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
    fetchAll().then(
      function () {
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

  // fetchAll reads everything the screens show.
  function fetchAll() {
    return Promise.all([call("GET", "overview"), call("GET", "dependents"), call("GET", LIFE_API)]).then(function (results) {
      state.overview = results[0];
      state.dependents = (results[1] && results[1].data) || [];
      state.life = results[2];
    });
  }

  function reloadOverview() {
    return fetchAll();
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
    ["life", "Life events"],
    ["appointments", "Appointments"],
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
    } else if (state.tab === "life") {
      renderLifeEvents(panel);
    } else if (state.tab === "appointments") {
      renderAppointments(panel);
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
    state.reporting = false;
    state.booking = null;
    if (tab === "appointments") {
      loadAppointments(); // afresh: times pass, and with them cut-offs
    }
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

  // armed reports whether button was pressed once already; the first
  // press turns it into a confirmation labelled label and announces text.
  function armed(button, label, text) {
    if (button.dataset.confirm === "true") {
      return true;
    }
    button.dataset.confirm = "true";
    button.textContent = label;
    if (button.hasAttribute("aria-label")) {
      button.setAttribute("aria-label", label);
    }
    button.classList.add("btn-danger");
    announce(text);
    return false;
  }

  function removeDependent(d, button) {
    if (!armed(button, "Confirm removal", "Press again to remove " + fullName(d))) {
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

  // ---- Life events -------------------------------------------------------

  function daysBetween(fromISO, toISO) {
    return Math.round((Date.parse(toISO + "T00:00:00Z") - Date.parse(fromISO + "T00:00:00Z")) / 86400000);
  }

  function ruleOf(type) {
    return ((state.life && state.life.rules) || []).filter(function (r) { return r.type === type; })[0] || null;
  }

  function ruleText(rule) {
    if (!rule) {
      return "";
    }
    return "Report within " + rule.lookback_days + " days of the event" + (rule.document_required ? ", with a supporting document" : "") +
      ". Once approved, you have " + rule.window_days + " days to change your benefits.";
  }

  function renderLifeEvents(panel) {
    var life = state.life || { data: [] };
    panel.appendChild(h("div", { className: "ed-section-head" },
      h("h2", { text: "Life events" }),
      !state.reporting && h("button", { type: "button", id: "ed-life-report", className: "btn btn-secondary btn-small", text: "Report a life event",
        on: { click: function () { state.reporting = true; state.notice = null; render("#ed-life-type"); } } })));
    if (state.reporting) {
      panel.appendChild(lifeEventForm());
    }
    if (!life.data.length && !state.reporting) {
      panel.appendChild(empty("No life events reported", "Married, had a baby or lost other coverage? Report it here to change your benefits outside open enrollment."));
      return;
    }
    var list = h("ul", { className: "ed-deps ed-life-list" });
    life.data.slice().reverse().forEach(function (e) {
      list.appendChild(h("li", { className: "ed-dep card ed-life", "data-status": e.status },
        h("div", { className: "ed-life-main" },
          h("p", { className: "ed-dep-name", text: LIFE_EVENTS[e.type] || e.type }),
          h("span", { className: "ed-badge ed-life-status ed-life-" + e.status, text: LIFE_EVENT_STATUSES[e.status] || e.status })),
        h("p", { className: "muted", text: "On " + date(e.event_date) + (e.documents.length ? " · " + e.documents.map(function (d) { return d.file_name; }).join(", ") : "") }),
        e.note ? h("p", { className: "muted", text: e.note }) : null,
        e.status === "denied" && e.deny_reason ? h("p", { className: "ed-life-reason", text: "Reason: " + e.deny_reason }) : null,
        e.status === "approved" && e.window ? specialWindow(e.window, life.today) : null,
        e.status === "submitted" ? h("div", { className: "actions" },
          h("button", { type: "button", className: "btn btn-quiet btn-small", text: "Withdraw", "aria-label": "Withdraw " + (LIFE_EVENTS[e.type] || e.type),
            on: { click: function (event) { withdrawLifeEvent(e, event.currentTarget); } } })) : null));
    });
    panel.appendChild(list);
  }

  // specialWindow shows the window an approval opened, with its deadline.
  function specialWindow(w, today) {
    var left = daysBetween(today, w.ends_on) + 1;
    var open = daysBetween(w.starts_on, today) >= 0 && left > 0;
    return h("div", { className: "ed-life-window" + (open ? " is-open" : "") },
      h("p", { className: "ed-life-window-title", text: open ? "Special enrollment is open" : left > 0 ? "Special enrollment opens " + date(w.starts_on) : "Special enrollment has closed" }),
      h("p", { className: "muted", text: "From " + date(w.starts_on) + " to " + date(w.ends_on) +
        (open ? " · " + left + (left === 1 ? " day left" : " days left") : "") }),
      open ? h("button", { type: "button", className: "btn btn-primary btn-small", text: "Change your benefits",
        on: { click: function () { startFlow(""); } } }) : null);
  }

  function lifeEventForm() {
    var life = state.life || {};
    var type = h("select", { id: "ed-life-type", className: "input" },
      Object.keys(LIFE_EVENTS).map(function (t) { return h("option", { value: t, text: LIFE_EVENTS[t] }); }));
    type.value = "birth";
    var when = h("input", { id: "ed-life-date", className: "input", type: "date", max: life.today || "" });
    var note = h("textarea", { id: "ed-life-note", className: "input", rows: 2, maxLength: 1000 });
    var files = h("input", { id: "ed-life-files", className: "input", type: "file", multiple: true, accept: DOCUMENT_TYPES });
    var hint = h("p", { id: "ed-life-rule", className: "field-hint", text: ruleText(ruleOf(type.value)) });
    type.addEventListener("change", function () { hint.textContent = ruleText(ruleOf(type.value)); });
    var error = h("p", { className: "field-error", role: "alert", hidden: true });
    var save = h("button", { type: "submit", className: "btn btn-primary" },
      h("span", { className: "spinner", "aria-hidden": "true" }), h("span", { className: "btn-label", text: "Submit for review" }));
    function field(input, label, extra) {
      return h("div", { className: "field" }, h("label", { className: "field-label", "for": input.id, text: label }), input, extra || null);
    }
    function fail(text, focus) {
      error.textContent = text;
      error.hidden = false;
      save.disabled = false;
      save.classList.remove("is-busy");
      if (focus) {
        focus.focus();
      }
    }
    var form = h("form", { className: "ed-form ed-dep-form", novalidate: true, "aria-label": "Report a life event", on: { submit: function (event) {
      event.preventDefault();
      var chosen = Array.prototype.slice.call(files.files || []);
      if (!when.value) {
        return fail("Enter the date of the event.", when);
      }
      if (chosen.length > (life.max_documents_per_event || 5)) {
        return fail("Attach at most " + (life.max_documents_per_event || 5) + " documents.", files);
      }
      var big = chosen.filter(function (f) { return f.size > (life.max_document_bytes || 10485760); })[0];
      if (big) {
        return fail(big.name + " is larger than " + Math.round((life.max_document_bytes || 10485760) / 1048576) + " MB.", files);
      }
      save.disabled = true;
      save.classList.add("is-busy");
      error.hidden = true;
      var ids = [];
      chosen.reduce(function (prev, f) {
        return prev.then(function () {
          return call("POST", DOCUMENTS_API + "?file_name=" + encodeURIComponent(f.name), f).then(function (d) { ids.push(d.id); });
        });
      }, Promise.resolve()).then(function () {
        return call("POST", LIFE_API, { type: type.value, event_date: when.value, note: note.value.trim(), document_ids: ids });
      }).then(
        function (created) {
          widget.post("lifeEventSubmitted", { event_id: created.id, type: created.type });
          return fetchAll().then(function () {
            state.reporting = false;
            state.notice = { kind: "success", text: (LIFE_EVENTS[created.type] || created.type) + " was submitted for review." };
            render("#ed-panel");
          });
        },
        function (err) {
          fail(err.message, null);
          if (err.status !== 422 && err.status !== 413) {
            report(err);
          }
        }
      );
    } } },
      h("div", { className: "ed-grid" }, field(type, "What happened"), field(when, "Date of the event")),
      hint,
      field(note, "Note (optional)"),
      field(files, "Supporting documents", h("p", { className: "field-hint", text: "PDF, PNG, JPEG or HEIC; up to " +
        (life.max_documents_per_event || 5) + " files of " + Math.round((life.max_document_bytes || 10485760) / 1048576) + " MB each." })),
      error,
      h("div", { className: "actions" },
        h("button", { type: "button", className: "btn btn-ghost", text: "Cancel", on: { click: function () { state.reporting = false; render("#ed-panel"); } } }),
        save));
    return form;
  }

  function withdrawLifeEvent(e, button) {
    if (!armed(button, "Confirm withdrawal", "Press again to withdraw this life event")) {
      return;
    }
    button.disabled = true;
    call("POST", LIFE_API + "/" + encodeURIComponent(e.id) + "/withdraw").then(
      function () {
        return fetchAll().then(function () {
          state.notice = { kind: "success", text: (LIFE_EVENTS[e.type] || e.type) + " was withdrawn." };
          render("#ed-panel");
        });
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

  // ---- Appointments ------------------------------------------------------

  var APPOINTMENTS_API = "/widget-api/appointments";
  var MODES = { video: "Video call", phone: "Phone call", in_person: "In person" };
  // The slot errors after which the employee chooses another time.
  var SLOT_GONE = { slot_unavailable: true, slot_not_offered: true, appointment_slot_not_found: true };

  // The browser's time zone: slots are shown in it.
  var HERE = (function () {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    } catch (e) {
      return "UTC";
    }
  })();

  // when formats the instant iso in the zone tz with options, falling
  // back to UTC for a zone this browser does not know.
  function when(iso, tz, options) {
    var d = new Date(iso);
    try {
      return d.toLocaleString("en-US", Object.assign({ timeZone: tz }, options));
    } catch (e) {
      return d.toLocaleString("en-US", Object.assign({}, options, { timeZone: "UTC" })) + " UTC";
    }
  }

  function dayOf(iso, tz) {
    return when(iso, tz, { weekday: "short", month: "short", day: "numeric" });
  }

  function timeOf(iso, tz) {
    return when(iso, tz, { hour: "numeric", minute: "2-digit" });
  }

  // dayKey is the local date of iso in tz, YYYY-MM-DD: slots group by it.
  function dayKey(iso, tz) {
    return when(iso, tz, { year: "numeric", month: "2-digit", day: "2-digit" }).replace(/^(\d+)\/(\d+)\/(\d+).*$/, "$3-$1-$2");
  }

  function zoneName(tz) {
    return String(tz).replace(/_/g, " ");
  }

  // at is "Tue, Mar 10, 9:00 AM" in tz.
  function at(iso, tz) {
    return dayOf(iso, tz) + ", " + timeOf(iso, tz);
  }

  // span is "Tue, Mar 10, 9:00 AM – 9:20 AM" in tz.
  function span(start, end, tz) {
    return at(start, tz) + " – " + timeOf(end, tz);
  }

  // sameClock reports whether the zones tz and HERE show start alike.
  function sameClock(start, tz) {
    return when(start, tz, { dateStyle: "short", timeStyle: "short" }) === when(start, HERE, { dateStyle: "short", timeStyle: "short" });
  }

  function minutesText(m) {
    if (m >= 2880 && m % 1440 === 0) {
      return m / 1440 + (m === 1440 ? " day" : " days");
    }
    if (m > 0 && m % 60 === 0) {
      return m / 60 + (m === 60 ? " hour" : " hours");
    }
    return m + (m === 1 ? " minute" : " minutes");
  }

  function modeText(t) {
    return (MODES[t.mode] || t.mode) + (t.mode === "in_person" && t.address ? " · " + t.address : "");
  }

  function forWhom(dependentID) {
    if (!dependentID) {
      return "You";
    }
    var d = (state.dependents || []).filter(function (x) { return x.id === dependentID; })[0];
    return d ? fullName(d) : "A dependent";
  }

  // eventOf is the host-page payload of an appointment event.
  function eventOf(a) {
    return { appointment_id: a.id, type: a.type_id, type_name: a.type.name, start: a.start, end: a.end };
  }

  // loadAppointments reads what the tab shows: the types offered and the
  // employee's appointments, upcoming and past. What it read before stays
  // on screen meanwhile.
  function loadAppointments() {
    if (!state.appts || state.appts.error) {
      state.appts = { loading: true };
    }
    var q = "?limit=100";
    return Promise.all([
      call("GET", APPOINTMENTS_API + "/types" + q),
      call("GET", APPOINTMENTS_API + q + "&when=upcoming"),
      call("GET", APPOINTMENTS_API + q + "&when=past"),
    ]).then(
      function (results) {
        var byStart = function (a, b) { return Date.parse(a.start) - Date.parse(b.start); };
        var upcoming = results[1].data.slice().sort(byStart);
        state.appts = {
          types: results[0].data,
          upcoming: upcoming.filter(function (a) { return a.status === "booked"; }),
          earlier: upcoming.filter(function (a) { return a.status !== "booked"; }).concat(results[2].data).sort(byStart).reverse(),
        };
        renderIfOn("appointments");
      },
      function (err) {
        state.appts = { error: err };
        report(err);
        renderIfOn("appointments");
      }
    );
  }

  // renderIfOn renders when tab is shown, keeping the focus on the element
  // (by id) that had it.
  function renderIfOn(tab) {
    if (state.tab === tab) {
      var focused = document.activeElement;
      render(focused && focused !== root && root.contains(focused) && focused.id ? "#" + focused.id : null);
    }
  }

  // A booking is one appointment being booked, or moved (moving):
  //   step    "type", "time", "details" or "review"
  //   type    the type (for a move, the appointment's type)
  //   slots   its free slots (null while loading), slotsError, zone
  //   day     the chosen local date (YYYY-MM-DD, the browser's zone), slot
  //   dependentID, answers, fieldError, busy
  function newBooking(type, moving) {
    return { step: type ? "time" : "type", type: type, moving: moving || null, slots: null, slotsError: null, zone: "",
      day: "", slot: null, dependentID: "", answers: {}, fieldError: "", busy: false };
  }

  function startBooking(type, moving) {
    state.notice = null;
    state.booking = newBooking(type, moving);
    if (type) {
      loadSlots(state.booking);
    }
    render("#ed-panel");
  }

  function loadSlots(b) {
    b.slots = null;
    b.slotsError = null;
    call("GET", APPOINTMENTS_API + "/types/" + encodeURIComponent(b.type.id) + "/slots").then(
      function (res) {
        if (state.booking === b) {
          b.slots = (res && res.data) || [];
          b.zone = (res && res.time_zone) || b.type.time_zone || (b.type.availability && b.type.availability.time_zone) || "UTC";
          if (b.slot && !b.slots.some(function (s) { return s.start === b.slot.start; })) {
            b.slot = null;
          }
          renderIfOn("appointments");
        }
      },
      function (err) {
        if (state.booking === b) {
          b.slotsError = err;
          report(err);
          renderIfOn("appointments");
        }
      }
    );
  }

  function renderAppointments(panel) {
    var a = state.appts;
    if (!a || a.loading) {
      panel.appendChild(loading());
      return;
    }
    if (a.error) {
      panel.appendChild(problem("Your appointments could not be loaded", a.error.message, function () {
        loadAppointments();
        render();
      }));
      return;
    }
    if (state.booking) {
      renderBooking(panel, state.booking);
      return;
    }
    panel.appendChild(h("div", { className: "ed-section-head" },
      h("h2", { text: "Appointments" }),
      a.types.length ? h("button", { type: "button", id: "ed-appt-book", className: "btn btn-secondary btn-small", text: "Book an appointment",
        on: { click: function () { startBooking(null); } } }) : null));
    if (!a.upcoming.length && !a.earlier.length) {
      panel.appendChild(a.types.length
        ? empty("No appointments yet", "Book a visit or a call; it appears here with a calendar file to add to your calendar.")
        : empty("Nothing to book yet", "Your employer offers no appointments yet. They will appear here once it does."));
      return;
    }
    panel.appendChild(h("h3", { className: "ed-appt-heading", text: "Upcoming" }));
    if (a.upcoming.length) {
      panel.appendChild(h("ul", { className: "ed-deps ed-appts", "aria-label": "Upcoming appointments" }, a.upcoming.map(appointmentCard)));
    } else {
      panel.appendChild(h("p", { className: "muted", text: "No upcoming appointments." }));
    }
    if (a.earlier.length) {
      panel.appendChild(h("h3", { className: "ed-appt-heading", text: "Past and cancelled" }));
      panel.appendChild(h("ul", { className: "ed-deps ed-appts", "aria-label": "Past and cancelled appointments" }, a.earlier.map(appointmentCard)));
    }
  }

  function appointmentCard(a) {
    var tz = a.type.time_zone;
    var upcoming = a.status === "booked" && Date.parse(a.start) > Date.now();
    var status = a.status === "cancelled" ? "Cancelled" : upcoming ? "Booked" : "Past";
    var cutoffId = id("appt-cutoff");
    var cutoff = Date.parse(a.start) - Date.parse(a.change_until);
    var rule = null;
    if (upcoming) {
      rule = a.can_change
        ? h("p", { id: cutoffId, className: "ed-appt-rule", text: "You can reschedule or cancel until " + at(a.change_until, HERE) + "." })
        : h("p", { id: cutoffId, className: "ed-appt-rule is-closed", text: "Changes closed " + minutesText(Math.round(cutoff / 60000)) +
          " before the start. To reschedule or cancel, contact the provider." });
    }
    return h("li", { className: "ed-dep card ed-appt", "data-status": a.status, "data-id": a.id },
      h("div", { className: "ed-life-main" },
        h("p", { className: "ed-dep-name", text: a.type.name }),
        h("span", { className: "ed-badge ed-appt-" + (upcoming ? "booked" : a.status === "cancelled" ? "cancelled" : "past"), text: status })),
      h("p", { className: "ed-appt-when", text: span(a.start, a.end, HERE) + " (" + zoneName(HERE) + ")" }),
      sameClock(a.start, tz) ? null : h("p", { className: "muted", text: "Provider's time: " + span(a.start, a.end, tz) + " (" + zoneName(tz) + ")" }),
      h("p", { className: "muted", text: modeText(a.type) + " · for " + (a.dependent_id ? forWhom(a.dependent_id) : "you") }),
      rule,
      h("div", { className: "actions" },
        upcoming ? h("button", { type: "button", className: "btn btn-ghost btn-small", text: "Reschedule", disabled: !a.can_change,
          "aria-label": "Reschedule " + a.type.name, "aria-describedby": cutoffId,
          on: { click: function () { startBooking(a.type, a); } } }) : null,
        upcoming ? h("button", { type: "button", className: "btn btn-quiet btn-small", text: "Cancel", disabled: !a.can_change,
          "aria-label": "Cancel " + a.type.name, "aria-describedby": cutoffId,
          on: { click: function (event) { cancelAppointment(a, event.currentTarget); } } }) : null,
        Date.parse(a.end) > Date.now() ? h("button", { type: "button", className: "btn btn-ghost btn-small ed-appt-ics",
          text: a.status === "cancelled" ? "Calendar cancellation (.ics)" : "Add to calendar (.ics)",
          "aria-label": (a.status === "cancelled" ? "Download the calendar cancellation of " : "Download the calendar file of ") + a.type.name,
          on: { click: function (event) { downloadICS(a, event.currentTarget); } } }) : null));
  }

  // downloadICS fetches the appointment's calendar file with the widget's
  // credential and hands it to the browser as a download.
  function downloadICS(a, button) {
    button.disabled = true;
    widget.request(APPOINTMENTS_API + "/" + encodeURIComponent(a.id) + "/ics", { headers: { Accept: "text/calendar" } }).then(
      function (res) {
        if (!res.ok) {
          return Promise.reject({ status: res.status, code: "http_" + res.status, message: "The calendar file could not be downloaded." });
        }
        return res.blob();
      },
      function () {
        return Promise.reject({ status: 0, code: "network_error", message: "Oriel could not be reached. Check your connection and try again." });
      }
    ).then(
      function (blob) {
        button.disabled = false;
        var url = URL.createObjectURL(blob);
        var link = h("a", { href: url, download: "appointment-" + a.id + ".ics", hidden: true });
        document.body.appendChild(link);
        link.click();
        link.remove();
        window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        announce("The calendar file was downloaded.");
      },
      function (err) {
        button.disabled = false;
        report(err);
        state.notice = { kind: "error", text: err.message };
        render("#ed-panel");
      }
    );
  }

  function cancelAppointment(a, button) {
    if (!armed(button, "Confirm cancellation", "Press again to cancel " + a.type.name)) {
      return;
    }
    button.disabled = true;
    call("POST", APPOINTMENTS_API + "/" + encodeURIComponent(a.id) + "/cancel").then(
      function (cancelled) {
        widget.post("appointmentCancelled", eventOf(cancelled));
        return loadAppointments().then(function () {
          state.notice = { kind: "success", text: a.type.name + " on " + span(a.start, a.end, HERE) + " was cancelled." };
          render("#ed-panel");
        });
      },
      function (err) {
        changeFailed(err);
      }
    );
  }

  // sentence makes an API message a sentence: capitalised, with its stop.
  function sentence(text) {
    text = String(text || "").trim();
    return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
  }

  // changeFailed shows why a change was refused (the cut-off passed, the
  // appointment was cancelled meanwhile) and refreshes the list.
  function changeFailed(err) {
    if (err.status !== 409) {
      report(err);
    }
    state.booking = null;
    loadAppointments().then(function () {
      state.notice = { kind: "error", text: sentence(err.message) };
      render("#ed-panel");
    });
  }

  function bookingSteps(b) {
    var names = b.moving ? [["time", "New time"], ["review", "Confirm"]]
      : [["type", "Type"], ["time", "Day and time"], ["details", "Details"], ["review", "Confirm"]];
    var current = names.map(function (n) { return n[0]; }).indexOf(b.step);
    var ol = h("ol", { className: "ed-steps", "aria-label": b.moving ? "Reschedule steps" : "Booking steps" });
    names.forEach(function (n, i) {
      ol.appendChild(h("li", { className: i < current ? "done" : i === current ? "current" : "", "aria-current": i === current ? "step" : null },
        h("span", { className: "ed-step-num", "aria-hidden": "true", text: String(i + 1) }), n[1]));
    });
    return h("div", { className: "ed-flow-head" },
      h("button", { type: "button", className: "btn btn-ghost btn-small", text: "← Your appointments",
        on: { click: function () { state.booking = null; render("#ed-panel"); } } }),
      h("h2", { className: "ed-step-title", text: b.moving ? "Reschedule " + b.type.name : b.type ? b.type.name : "Book an appointment" }),
      ol);
  }

  function renderBooking(panel, b) {
    panel.appendChild(bookingSteps(b));
    if (b.step === "type") {
      renderTypes(panel);
    } else if (b.step === "time") {
      renderSlots(panel, b);
    } else if (b.step === "details") {
      renderDetails(panel, b);
    } else {
      renderConfirm(panel, b);
    }
  }

  function renderTypes(panel) {
    var list = h("ul", { className: "ed-kinds", "aria-label": "Appointment types" });
    state.appts.types.forEach(function (t) {
      list.appendChild(h("li", null, h("button", { type: "button", className: "ed-kind card ed-appt-type", "data-type": t.id,
        on: { click: function () { startBooking(t, null); } } },
        h("span", { className: "ed-appt-type-text" },
          h("span", { className: "ed-kind-name", text: t.name }),
          t.description ? h("span", { className: "muted", text: t.description }) : null),
        h("span", { className: "muted", text: t.duration_minutes + " min · " + modeText(t) }))));
    });
    panel.appendChild(list);
  }

  function renderSlots(panel, b) {
    var error = h("p", { id: "ed-slot-error", className: "field-error ed-appt-alert", role: "alert", tabindex: "-1", text: b.fieldError, hidden: !b.fieldError });
    panel.appendChild(error);
    if (b.slotsError) {
      panel.appendChild(problem("The free times could not be loaded", b.slotsError.message, function () {
        loadSlots(b);
        render();
      }));
      return;
    }
    if (!b.slots) {
      panel.appendChild(loading());
      return;
    }
    if (!b.slots.length) {
      panel.appendChild(empty("No free times", "Every time of " + b.type.name + " is taken for now. Try again later, or choose another type.",
        h("button", { type: "button", className: "btn btn-secondary", text: "Back to your appointments", on: { click: function () { state.booking = null; render("#ed-panel"); } } })));
      return;
    }
    var days = [];
    var byDay = {};
    b.slots.forEach(function (s) {
      var key = dayKey(s.start, HERE);
      if (!byDay[key]) {
        byDay[key] = [];
        days.push(key);
      }
      byDay[key].push(s);
    });
    if (!byDay[b.day]) {
      b.day = b.slot ? dayKey(b.slot.start, HERE) : days[0];
    }
    var form = h("form", { className: "ed-form", novalidate: true, on: { submit: function (event) {
      event.preventDefault();
      if (!b.slot) {
        b.fieldError = "Choose a time.";
        render("#ed-slot-error");
        return;
      }
      b.fieldError = "";
      b.step = b.moving || !needsDetails(b.type) ? "review" : "details";
      render("#ed-panel");
    } } });
    var zoneHint = "Times are in your time zone, " + zoneName(HERE) + "." +
      (b.zone && b.zone !== HERE ? " The provider's time zone is " + zoneName(b.zone) + "." : "");
    form.appendChild(h("p", { id: "ed-appt-zone", className: "field-hint ed-appt-zone", text: zoneHint }));
    var select = h("select", { id: "ed-appt-day", className: "input", "aria-describedby": "ed-appt-zone",
      on: { change: function () { b.day = select.value; b.fieldError = ""; render("#ed-appt-day"); } } },
      days.map(function (d) {
        var n = byDay[d].length;
        return h("option", { value: d, text: dayOf(byDay[d][0].start, HERE) + " · " + n + (n === 1 ? " time" : " times") });
      }));
    select.value = b.day;
    form.appendChild(h("div", { className: "field" }, h("label", { className: "field-label", "for": "ed-appt-day", text: "Day" }), select));
    var times = h("fieldset", { className: "ed-fieldset" }, h("legend", { text: "Time" }));
    var grid = h("div", { className: "ed-slots" });
    byDay[b.day].forEach(function (s, i) {
      var chosen = !!b.slot && b.slot.start === s.start;
      var other = b.zone && !sameClock(s.start, b.zone) ? when(s.start, b.zone, { hour: "numeric", minute: "2-digit", timeZoneName: "short" }) : "";
      grid.appendChild(h("label", { className: "ed-slot" + (chosen ? " chosen" : ""), "for": "ed-slot-" + i },
        h("input", { type: "radio", name: "ed-slot", id: "ed-slot-" + i, value: s.start, checked: chosen,
          on: { change: function () { b.slot = s; b.fieldError = ""; render("#ed-slot-" + i); } } }),
        h("span", { className: "ed-slot-time", text: timeOf(s.start, HERE) }),
        other ? h("span", { className: "ed-slot-other", text: other }) : null));
    });
    times.appendChild(grid);
    form.appendChild(times);
    if (b.slot) {
      form.appendChild(h("p", { className: "ed-appt-chosen", role: "status" }, chosenText(b)));
    }
    form.appendChild(h("div", { className: "actions" },
      b.moving ? null : h("button", { type: "button", className: "btn btn-ghost", text: "Back", on: { click: function () { state.booking = newBooking(null); render("#ed-panel"); } } }),
      h("button", { type: "submit", className: "btn btn-primary", text: "Continue" })));
    panel.appendChild(form);
  }

  // chosenText describes the chosen slot in the browser's zone and the type's.
  function chosenText(b) {
    var s = b.slot;
    var text = span(s.start, s.end, HERE) + " your time";
    if (b.zone && !sameClock(s.start, b.zone)) {
      text += " · " + span(s.start, s.end, b.zone) + " in " + zoneName(b.zone);
    }
    return text;
  }

  function needsDetails(t) {
    return (t.questions && t.questions.length > 0) || (t.who_may_book === "employee_or_dependent" && state.dependents.length > 0);
  }

  function renderDetails(panel, b) {
    var t = b.type;
    var form = h("form", { className: "ed-form", novalidate: true, on: { submit: function (event) {
      event.preventDefault();
      var missing = (t.questions || []).filter(function (q) { return q.required && !(b.answers[q.id] || "").trim(); })[0];
      if (missing) {
        b.fieldError = "Answer “" + missing.label + "”.";
        render("#ed-details-error");
        return;
      }
      b.fieldError = "";
      b.step = "review";
      render("#ed-panel");
    } } });
    if (t.who_may_book === "employee_or_dependent" && state.dependents.length) {
      var people = h("fieldset", { className: "ed-fieldset" }, h("legend", { text: "Who is the appointment for?" }));
      [{ id: "", name: "You" }].concat(state.dependents.map(function (d) { return { id: d.id, name: fullName(d), rel: RELATIONSHIPS[d.relationship] }; }))
        .forEach(function (p) {
          people.appendChild(h("label", { className: "ed-check" },
            h("input", { type: "radio", name: "ed-appt-for", value: p.id, checked: b.dependentID === p.id,
              on: { change: function () { b.dependentID = p.id; } } }),
            h("span", { text: p.name }), p.rel ? h("span", { className: "muted", text: " · " + p.rel }) : null));
        });
      form.appendChild(people);
    }
    (t.questions || []).forEach(function (q) {
      var label = q.label + (q.required ? "" : " (optional)");
      if (q.kind === "yes_no") {
        var set = h("fieldset", { className: "ed-fieldset ed-yesno", "aria-required": q.required ? "true" : null }, h("legend", { text: label }));
        ["yes", "no"].forEach(function (v) {
          set.appendChild(h("label", { className: "ed-check" },
            h("input", { type: "radio", name: "ed-q-" + q.id, value: v, checked: b.answers[q.id] === v,
              on: { change: function () { b.answers[q.id] = v; } } }),
            h("span", { text: v === "yes" ? "Yes" : "No" })));
        });
        form.appendChild(set);
        return;
      }
      var input = h("input", { id: "ed-q-" + q.id, className: "input", type: "text", maxLength: 500, autocomplete: "off",
        value: b.answers[q.id] || "", "aria-required": q.required ? "true" : null,
        on: { input: function () { b.answers[q.id] = input.value; } } });
      form.appendChild(h("div", { className: "field" }, h("label", { className: "field-label", "for": input.id, text: label }), input));
    });
    form.appendChild(h("p", { id: "ed-details-error", className: "field-error", role: "alert", tabindex: "-1", text: b.fieldError, hidden: !b.fieldError }));
    form.appendChild(h("div", { className: "actions" },
      h("button", { type: "button", className: "btn btn-ghost", text: "Back", on: { click: function () { b.step = "time"; b.fieldError = ""; render("#ed-panel"); } } }),
      h("button", { type: "submit", className: "btn btn-primary", text: "Review" })));
    panel.appendChild(form);
  }

  function renderConfirm(panel, b) {
    var t = b.type;
    var cutoffMinutes = b.moving ? Math.round((Date.parse(b.moving.start) - Date.parse(b.moving.change_until)) / 60000) : t.cutoff_minutes;
    var changeUntil = new Date(Date.parse(b.slot.start) - cutoffMinutes * 60000).toISOString();
    var answers = (t.questions || []).filter(function (q) { return (b.answers[q.id] || "").trim(); }).map(function (q) {
      var v = b.answers[q.id].trim();
      return fact(q.label, q.kind === "yes_no" ? (v === "yes" ? "Yes" : "No") : v);
    });
    var facts = h("dl", { className: "ed-facts ed-review" },
      fact("Appointment", t.name),
      b.moving ? fact("Was", span(b.moving.start, b.moving.end, HERE)) : null,
      fact(b.moving ? "New time" : "When", span(b.slot.start, b.slot.end, HERE) + " (" + zoneName(HERE) + ")"),
      b.zone && !sameClock(b.slot.start, b.zone) ? fact("Provider's time", span(b.slot.start, b.slot.end, b.zone) + " (" + zoneName(b.zone) + ")") : null,
      fact("How", modeText(t)),
      fact("For", forWhom(b.moving ? b.moving.dependent_id : b.dependentID)),
      answers);
    var submit = h("button", { type: "submit", className: "btn btn-primary" + (b.busy ? " is-busy" : ""), disabled: b.busy },
      h("span", { className: "spinner", "aria-hidden": "true" }), h("span", { className: "btn-label", text: b.moving ? "Move appointment" : "Book appointment" }));
    var form = h("form", { className: "ed-form", novalidate: true, on: { submit: function (event) {
      event.preventDefault();
      submitBooking(b);
    } } },
      facts,
      cutoffRule(changeUntil, cutoffMinutes),
      h("p", { id: "ed-confirm-error", className: "field-error", role: "alert", tabindex: "-1", text: b.fieldError, hidden: !b.fieldError }),
      h("div", { className: "actions" },
        h("button", { type: "button", className: "btn btn-ghost", text: "Back", disabled: b.busy,
          on: { click: function () { b.step = b.moving || !needsDetails(t) ? "time" : "details"; b.fieldError = ""; render("#ed-panel"); } } }),
        submit));
    panel.appendChild(form);
  }

  // cutoffRule says until when the appointment can be changed here; a time
  // already within the cut-off is said to be final before it is booked.
  function cutoffRule(changeUntil, cutoffMinutes) {
    if (Date.parse(changeUntil) <= Date.now()) {
      return h("p", { className: "ed-appt-rule is-closed", text: "This time is less than " + minutesText(cutoffMinutes) +
        " away: once booked, it cannot be rescheduled or cancelled here. To change it, contact the provider." });
    }
    return h("p", { className: "ed-appt-rule", text: cutoffMinutes > 0
      ? "You can reschedule or cancel here until " + at(changeUntil, HERE) + " (" + minutesText(cutoffMinutes) + " before the start)."
      : "You can reschedule or cancel here until it starts." });
  }

  function submitBooking(b) {
    var request;
    if (b.moving) {
      request = call("POST", APPOINTMENTS_API + "/" + encodeURIComponent(b.moving.id) + "/reschedule", { start: b.slot.start });
    } else {
      var answers = {};
      Object.keys(b.answers).forEach(function (k) {
        if ((b.answers[k] || "").trim()) {
          answers[k] = b.answers[k].trim();
        }
      });
      var body = { type_id: b.type.id, start: b.slot.start, answers: answers };
      if (b.dependentID) {
        body.dependent_id = b.dependentID;
      }
      request = call("POST", APPOINTMENTS_API, body);
    }
    b.busy = true;
    b.fieldError = "";
    render();
    request.then(
      function (a) {
        var text;
        if (b.moving) {
          widget.post("appointmentRescheduled", Object.assign(eventOf(a), { previous_start: b.moving.start }));
          text = a.type.name + " was moved to " + span(a.start, a.end, HERE) + ".";
        } else {
          widget.post("appointmentBooked", eventOf(a));
          text = a.type.name + " is booked for " + span(a.start, a.end, HERE) + ".";
        }
        return loadAppointments().then(function () {
          state.booking = null;
          state.notice = { kind: "success", text: text };
          render("#ed-panel");
        });
      },
      function (err) {
        b.busy = false;
        if (SLOT_GONE[err.code]) {
          // Someone else took it, or it is no longer offered: back to the
          // times, refreshed.
          b.step = "time";
          b.slot = null;
          b.fieldError = err.code === "slot_unavailable"
            ? "That time was just taken by someone else. The free times below are up to date: choose another one."
            : sentence(err.message) + " The free times below are up to date.";
          loadSlots(b);
          render("#ed-slot-error");
          return;
        }
        if (b.moving && (err.code === "cutoff_passed" || err.code === "appointment_cancelled" || err.status === 404)) {
          changeFailed(err);
          return;
        }
        if (err.status !== 422) {
          report(err);
        }
        b.fieldError = sentence(err.message);
        render("#ed-confirm-error");
      }
    );
  }

  if (widget) {
    widget.ready(start);
  }
})();
