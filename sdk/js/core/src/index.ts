/**
 * @oriel/js: embeds Oriel widgets in a web page.
 *
 * `createOriel` makes one instance per signed-in user of the host page. It
 * fetches a bound access token from the vendor's backend when the first
 * widget mounts, shares it with every widget, refreshes it before it expires
 * and hands each new one to every iframe over the postMessage bridge that
 * docs/protocol.md specifies. It has no runtime dependencies.
 */

/** What `fetchToken` resolves to: a bound access token and its lifetime. */
export interface AccessToken {
  /** The opaque bound access token from `POST /v1/auth/access-tokens`. */
  token: string;
  /** Seconds until the token expires (`expires_in`). */
  expiresIn: number;
}

/** The same as `AccessToken`, under the name other embedding SDKs use for it. */
export type AccessTokenResponse = AccessToken;

/**
 * What `onError` learns when `fetchToken` failed because the vendor's token
 * endpoint answered an HTTP error: its status, and the `code` and `message`
 * of its JSON body (`{code, message}` as `client.TokenHandler` answers, or
 * `{error, error_description}`), when it has them.
 */
export interface TokenEndpointError {
  status: number;
  code?: string;
  message?: string;
}

/**
 * Reports a failure with a stable code and a human-readable message; for
 * `token_fetch_failed` caused by the token endpoint's answer, also that
 * answer.
 */
export type ErrorCallback = (code: string, message: string, endpoint?: TokenEndpointError) => void;

/** The options of `createOriel`. */
export interface OrielOptions {
  /** Where Oriel runs, e.g. `https://oriel.example.com`; widget pages load from there. */
  baseUrl: string;
  /**
   * Asks the vendor's backend for a bound access token; called on the first
   * mount and on every refresh. It may resolve to the `fetch` Response of the
   * token endpoint itself: an answer that is not 2xx is then reported with
   * its status and error (and a 4xx other than 408 and 429 is not retried).
   */
  fetchToken: () => Promise<AccessToken | Response>;
  /** The origins trusted to send widget messages and receive tokens; defaults to the origin of `baseUrl`. */
  allowedOrigins?: string[];
  /** Receives every error of every widget, and `token_fetch_failed`. */
  onError?: ErrorCallback;
  /** Identifies the signed-in user; see `Oriel.setContextKey`. */
  contextKey?: string;
}

/** The colours an appearance may set. */
export type AppearanceColor = "primary" | "background" | "surface" | "text" | "muted" | "border" | "danger" | "success";

/**
 * Overrides the vendor's widget styling for one mount; the shape and rules of
 * the vendor API's appearance (`PUT /v1/appearance`).
 */
export interface Appearance {
  mode?: "light" | "dark" | "auto";
  /** `#rgb` or `#rrggbb` colours, e.g. `{ primary: "#0a84ff", background: "#111" }`. */
  colors?: Partial<Record<AppearanceColor, string>>;
  /** Comma-separated, unquoted font names: `Inter, Helvetica Neue, sans-serif`. */
  font_family?: string;
  /** Whole pixels from `0px` to `24px`. */
  border_radius?: string;
}

/** The payload of a `connectionStatusChange` message. */
export interface ConnectionStatus {
  /** The connection's id. */
  id: string;
  /** The provider's catalogue key, e.g. `"oauth2"` for any generic OAuth2 provider. */
  provider: string;
  /** Your key of the connection's integration (`PUT /v1/integrations/{key}`); absent only from an older server. */
  integration?: string;
  /** The integration's display name, as the widget shows it; absent only from an older server. */
  name?: string;
  connected: boolean;
  /** The connection's last error, when it is in error. */
  error?: string;
}

/** The payload of an `enrollmentSubmitted` message (the employee dashboard). */
export interface EnrollmentSubmitted {
  /** The kind of plan elected or waived: `medical`, `dental`, `vision`, … */
  plan_kind: string;
  /** The id of the election's new version. */
  election_id: string;
  /** Whether the employee waived the coverage instead of electing a plan. */
  waived: boolean;
}

/** The payload of a `lifeEventSubmitted` message (the employee dashboard). */
export interface LifeEventSubmitted {
  /** The id of the reported life event (`GET /v1/life-events/{id}`). */
  event_id: string;
  /** Its type: `birth`, `marriage`, `adoption`, … */
  type: string;
}

/**
 * The payload of an `appointmentBooked` or `appointmentCancelled` message
 * (the employee dashboard, Appointments).
 */
export interface AppointmentEvent {
  /** The appointment's id (`GET /v1/appointments/{id}`). */
  appointment_id: string;
  /** The id of its appointment type (`GET /v1/appointment-types/{id}`). */
  type: string;
  /** The appointment type's name, as the employee saw it. */
  type_name: string;
  /** When it starts, RFC 3339 in UTC, e.g. `"2026-03-09T14:00:00Z"`. */
  start: string;
  /** When it ends, RFC 3339 in UTC. */
  end: string;
}

/** The payload of an `appointmentRescheduled` message: the appointment at its new time. */
export interface AppointmentRescheduled extends AppointmentEvent {
  /** When it started before the move, RFC 3339 in UTC. */
  previous_start: string;
}

/**
 * Inline styles for the iframe, applied after width and height. Names are
 * camelCase (`borderRadius`) or CSS (`border-radius`, `--custom`); a number
 * that is not a valid value on its own gets `px`, as in React.
 */
export type WidgetStyle = { [property: string]: string | number | null | undefined };

/** The presentation and callbacks of one mounted widget. */
export interface WidgetOptions {
  /** The iframe's width: a CSS length, or a number of pixels. Default `"100%"`. */
  width?: string | number;
  /** The iframe's height: a CSS length, or a number of pixels. Default `"600px"`; with `autoResize`, the height until the widget reports its own. */
  height?: string | number;
  /** The iframe's class attribute. */
  className?: string;
  style?: WidgetStyle;
  /** Sent to the widget when it loads and whenever it changes. */
  appearance?: Appearance;
  /** Follow the height the widget reports (`heightChange`). */
  autoResize?: boolean;
  /** The widget holds its first token and is interactive (once per load of the iframe). */
  onReady?: () => void;
  /** The widget found its token expired; a new one is being fetched. */
  onTokenExpired?: () => void;
  /** The token was refused: invalid, revoked, or not valid for this page's origin. */
  onAuthError?: ErrorCallback;
  /** Any other error of this widget, and `token_fetch_failed`. */
  onError?: ErrorCallback;
  /** A connection was connected, disconnected or went into error. */
  onConnectionStatusChange?: (status: ConnectionStatus) => void;
  /** The employee submitted an election or a waiver (employee dashboard). */
  onEnrollmentSubmitted?: (enrollment: EnrollmentSubmitted) => void;
  /** The employee reported a qualifying life event (employee dashboard). */
  onLifeEventSubmitted?: (event: LifeEventSubmitted) => void;
  /** The employee booked an appointment (employee dashboard). */
  onAppointmentBooked?: (appointment: AppointmentEvent) => void;
  /** The employee moved an appointment to another time (employee dashboard). */
  onAppointmentRescheduled?: (appointment: AppointmentRescheduled) => void;
  /** The employee cancelled an appointment (employee dashboard). */
  onAppointmentCancelled?: (appointment: AppointmentEvent) => void;
}

/**
 * Every kind of widget and the path of its page under `/widgets/`: the one
 * list the SDK, its types and the React components follow. A test checks
 * it against the server's widget registry (internal/server/widgets.go).
 */
const widgetPaths = {
  connections: () => "connections",
  connection: (id?: string) => {
    if (!id) throw new TypeError("Oriel: the connection widget needs a connectionId");
    return "connection/" + encodeURIComponent(id);
  },
  "employee-dashboard": () => "employee-dashboard",
};

/**
 * The widgets' own events: each message type and its payload's fields
 * (`?` marks an optional one, passed on only when it has its type). A valid
 * message calls the widget's `on` + Type callback with exactly these fields.
 */
const widgetEvents: Record<string, Record<string, string>> = {
  connectionStatusChange: { id: "string", provider: "string", integration: "string?", name: "string?", connected: "boolean", error: "string?" },
  enrollmentSubmitted: { plan_kind: "string", election_id: "string", waived: "boolean" },
  lifeEventSubmitted: { event_id: "string", type: "string" },
  appointmentBooked: { appointment_id: "string", type: "string", type_name: "string", start: "string", end: "string" },
  appointmentRescheduled: { appointment_id: "string", type: "string", type_name: "string", start: "string", end: "string", previous_start: "string" },
  appointmentCancelled: { appointment_id: "string", type: "string", type_name: "string", start: "string", end: "string" },
};

/** The kinds of widget. */
export type WidgetKind = keyof typeof widgetPaths;

/** Which widget to mount. */
export type WidgetSelector =
  | { widget: "connections" | "employee-dashboard"; connectionId?: undefined }
  | { widget: "connection"; connectionId: string };

/** The options of `Oriel.mount`. */
export type MountOptions = WidgetSelector & WidgetOptions;

/** A mounted widget. */
export interface MountedWidget {
  /**
   * Changes some options; the others keep their values. A new `widget` or
   * `connectionId` loads the new page in a fresh iframe.
   */
  update(options: WidgetOptions & { widget?: WidgetKind; connectionId?: string }): void;
  /** Removes the iframe and every listener of this widget. */
  destroy(): void;
}

/** An Oriel instance: one token, shared by every widget it mounts. */
export interface Oriel {
  /** Appends a widget's iframe to `element`. */
  mount(element: Element, options: MountOptions): MountedWidget;
  /**
   * Switches the signed-in user: a key different from the current one
   * discards the token, reloads every widget in a fresh iframe (nothing of the
   * previous user's page survives) and fetches a new token for them.
   */
  setContextKey(key: string | undefined): void;
  /** Destroys every widget, stops every timer and forgets the token. The instance may mount again. */
  destroy(): void;
}

/** Protocol timings, in milliseconds (docs/protocol.md, "Timings"). */
const REFRESH_AHEAD = 120_000;
const MIN_TOKEN_AGE = 30_000;
const RETRY_DELAYS = [1000, 2000, 4000];
const MAX_TIMEOUT = 2 ** 31 - 1;
/** The longest message accepted from a widget. */
const MAX_MESSAGE = 65_536;

/** A failed fetchToken whose token endpoint answered an HTTP error. */
class EndpointFailure extends Error {
  constructor(readonly endpoint: TokenEndpointError) {
    super("the token endpoint answered " + [endpoint.status, endpoint.code, endpoint.message].filter((x) => x).join(" "));
  }
}

/**
 * Reads what fetchToken resolved to: a Response is the token endpoint's
 * answer, whose JSON body is the token or, for a status that is not 2xx, the
 * error.
 */
async function readToken(fetched: unknown): Promise<unknown> {
  if (typeof Response == "undefined" || !(fetched instanceof Response)) return fetched;
  const body = await fetched.json().catch(() => undefined);
  if (fetched.ok) return body;
  throw new EndpointFailure({
    status: fetched.status,
    code: ownString(body, "code") || ownString(body, "error"),
    message: ownString(body, "message") || ownString(body, "error_description") || ownString(body, "detail"),
  });
}

/** Returns o[key] when it is o's own property, so nothing is read from a prototype. */
function own(o: unknown, key: string): unknown {
  return o !== null && typeof o == "object" && Object.prototype.hasOwnProperty.call(o, key)
    ? (o as Record<string, unknown>)[key]
    : undefined;
}

function ownString(o: unknown, key: string): string | undefined {
  const value = own(o, key);
  return typeof value == "string" ? value : undefined;
}

function pixels(length: string | number): string {
  return typeof length == "number" ? length + "px" : length;
}

/** Creates an Oriel instance. It fetches nothing until the first mount. */
export function createOriel(config: OrielOptions): Oriel {
  const base = new URL(config.baseUrl);
  if (!/^https?:$/.test(base.protocol)) throw new TypeError("Oriel: baseUrl must be an http(s) URL");
  const root = base.origin + base.pathname.replace(/\/+$/, "");
  const allowedOrigins = (config.allowedOrigins || [base.origin]).map((origin) => new URL(origin).origin);

  let contextKey = config.contextKey;
  let token: { value: string; expiresAt: number; refreshAt: number } | undefined;
  /** Bumped by a reset, so that a fetch begun before it is ignored. */
  let generation = 0;
  let fetching = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When a fetch caused by tokenExpired succeeded; 0 when the last fetch was not one. */
  let expiryFetchAt = 0;
  const mounts = new Set<{ push(): void; load(): void; destroy(): void; fail: ErrorCallback }>();

  function clearTimer() {
    clearTimeout(timer);
    timer = undefined;
  }

  function fetchToken(afterExpiry?: boolean) {
    clearTimer();
    fetching = true;
    const current = generation;
    new Promise((resolve) => resolve(config.fetchToken())).then(readToken).then(
      (fetched) => {
        if (current != generation) return;
        fetching = false;
        const lifetime = own(fetched, "expiresIn");
        const value = ownString(fetched, "token");
        if (!value || typeof lifetime != "number" || !(lifetime > 0 && lifetime < Infinity)) {
          return failed(new TypeError("fetchToken must resolve to { token, expiresIn }"), afterExpiry);
        }
        const now = Date.now();
        failures = 0;
        expiryFetchAt = afterExpiry ? now : 0;
        token = {
          value,
          expiresAt: now + lifetime * 1000,
          refreshAt: now + Math.max(lifetime * 1000 - REFRESH_AHEAD, MIN_TOKEN_AGE),
        };
        schedule();
        mounts.forEach((mount) => mount.push());
      },
      (error) => {
        if (current != generation) return;
        fetching = false;
        failed(error, afterExpiry);
      },
    );
  }

  function failed(error: unknown, afterExpiry?: boolean) {
    const endpoint = error instanceof EndpointFailure ? error.endpoint : undefined;
    const status = endpoint ? endpoint.status : 0;
    if (!mounts.size) {
      failures = 0;
    } else if (failures < RETRY_DELAYS.length && !(status >= 400 && status < 500 && status != 408 && status != 429)) {
      timer = setTimeout(fetchToken, RETRY_DELAYS[failures++], afterExpiry);
    } else {
      failures = 0;
      const args: Parameters<ErrorCallback> = ["token_fetch_failed", "fetchToken failed: " + (error instanceof Error ? error.message : String(error))];
      if (endpoint) args.push(endpoint);
      config.onError?.(...args);
      mounts.forEach((mount) => mount.fail(...args));
    }
  }

  /** Makes sure that, while widgets are mounted, a token is on its way or its refresh is timed. */
  function schedule() {
    if (!mounts.size || fetching || timer) return;
    const wait = token ? token.refreshAt - Date.now() : 0;
    if (wait > 0) timer = setTimeout(fetchToken, Math.min(wait, MAX_TIMEOUT));
    else fetchToken();
  }

  /** A widget reports that the current token has expired. */
  function expired() {
    if (fetching || failures) return;
    token = undefined;
    clearTimer();
    // A token fetched because the last one expired, and expired too, is not
    // replaced sooner than 30 s after it came: a backend that keeps handing
    // out stale tokens gets no tight loop of requests.
    const wait = expiryFetchAt + MIN_TOKEN_AGE - Date.now();
    if (expiryFetchAt && wait > 0) timer = setTimeout(fetchToken, wait, true);
    else fetchToken(true);
  }

  function reset() {
    generation++;
    fetching = false;
    failures = 0;
    expiryFetchAt = 0;
    token = undefined;
    clearTimer();
  }

  function mount(element: Element, options: MountOptions): MountedWidget {
    let settings: MountOptions = { ...options };
    let frame: HTMLIFrameElement | undefined;
    let src = "";
    /** The widget's origin, once its page said ready; nothing is posted before. */
    let peer = "";
    let tokenSent = false;
    /** A tokenUpdate was sent and not yet acknowledged. */
    let updatePending = false;
    let readyReported = false;
    let reportedHeight: number | undefined;

    function pageURL(options = settings) {
      const kind = options.widget;
      if (!Object.prototype.hasOwnProperty.call(widgetPaths, kind)) throw new TypeError("Oriel: unknown widget " + kind);
      return root + "/widgets/" + widgetPaths[kind](options.connectionId) + "?parent_origin=" + encodeURIComponent(location.origin);
    }

    function post(type: string, payload: unknown) {
      frame!.contentWindow?.postMessage(JSON.stringify({ type, payload }), peer);
    }

    function sendAppearance(appearance = settings.appearance) {
      if (peer && appearance) post("appearance", appearance);
    }

    function layout() {
      const style = frame!.style;
      const height = settings.autoResize && reportedHeight != null ? reportedHeight : settings.height;
      style.cssText = "border:0;display:block";
      style.width = pixels(settings.width ?? "100%");
      if (height != null || !settings.autoResize) style.height = pixels(height ?? "600px");
      const css = style as unknown as Record<string, string>;
      for (const [name, value] of Object.entries(settings.style || {})) {
        if (value == null) continue;
        const dashed = name.includes("-");
        const set = (text: string) => (dashed ? style.setProperty(name, text) : (css[name] = text));
        set("");
        set("" + value);
        if (typeof value == "number" && !(dashed ? style.getPropertyValue(name) : css[name])) set(value + "px");
      }
      frame!.className = settings.className || "";
    }

    /** Loads the widget's page in a new iframe, replacing the current one. */
    function load() {
      const previous = frame;
      src = pageURL();
      frame = document.createElement("iframe");
      frame.title = "Oriel " + settings.widget;
      frame.src = src;
      peer = "";
      tokenSent = updatePending = readyReported = false;
      reportedHeight = undefined;
      layout();
      if (previous) previous.replaceWith(frame);
      else element.appendChild(frame);
    }

    function receive(event: MessageEvent) {
      if (!event.source || event.source !== frame!.contentWindow || !allowedOrigins.includes(event.origin)) return;
      if (typeof event.data != "string" || event.data.length > MAX_MESSAGE) return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      const payload = own(message, "payload");
      const type = own(message, "type");
      switch (type) {
        case "ready":
          peer = event.origin;
          tokenSent = updatePending = readyReported = false;
          sendAppearance();
          widget.push();
          schedule();
          break;
        case "tokenAck":
          if (!tokenSent) break;
          updatePending = false;
          if (!readyReported) {
            readyReported = true;
            settings.onReady?.();
          }
          break;
        case "tokenExpired":
          // Before the widget acknowledged a tokenUpdate, the report is about
          // the token before: the newer one is on its way.
          if (tokenSent && !updatePending) expired();
          settings.onTokenExpired?.();
          break;
        case "authError":
        case "error": {
          const code = ownString(payload, "code");
          const text = ownString(payload, "message") || "";
          if (!code) break;
          (type == "error" ? settings.onError : settings.onAuthError)?.(code, text);
          config.onError?.(code, text);
          break;
        }
        case "heightChange": {
          const height = own(payload, "height");
          if (typeof height != "number" || !(height >= 0 && height < 1e6)) break;
          reportedHeight = Math.ceil(height);
          if (settings.autoResize) layout();
          break;
        }
        default: {
          if (typeof type != "string") break;
          const fields = own(widgetEvents, type) as Record<string, string> | undefined;
          if (!fields) break;
          const event: Record<string, unknown> = {};
          for (const [name, kind] of Object.entries(fields)) {
            const value = own(payload, name);
            if (typeof value == kind.replace("?", "")) event[name] = value;
            else if (!kind.endsWith("?")) return;
          }
          const callback = ("on" + type[0].toUpperCase() + type.slice(1)) as keyof WidgetOptions;
          (settings[callback] as ((event: unknown) => void) | undefined)?.(event);
        }
      }
    }

    const widget = {
      push() {
        if (!peer || !token) return;
        const expiresIn = Math.max(0, Math.floor((token.expiresAt - Date.now()) / 1000));
        post(tokenSent ? "tokenUpdate" : "token", { token: token.value, expiresIn });
        updatePending = tokenSent;
        tokenSent = true;
      },
      load,
      fail(...args: Parameters<ErrorCallback>) {
        settings.onError?.(...args);
      },
      destroy() {
        if (!mounts.delete(widget)) return;
        window.removeEventListener("message", receive);
        frame!.remove();
        if (!mounts.size) {
          clearTimer();
          failures = 0;
        }
      },
    };

    load();
    mounts.add(widget);
    window.addEventListener("message", receive);
    schedule();

    return {
      update(changes) {
        const appearance = JSON.stringify(settings.appearance);
        const next = { ...settings, ...changes } as MountOptions;
        const url = pageURL(next);
        settings = next;
        if (url != src) load();
        else layout();
        if (JSON.stringify(settings.appearance) != appearance) sendAppearance(settings.appearance || {});
      },
      destroy: widget.destroy,
    };
  }

  return {
    mount,
    setContextKey(key) {
      if (key === contextKey) return;
      contextKey = key;
      reset();
      mounts.forEach((mount) => mount.load());
      schedule();
    },
    destroy() {
      mounts.forEach((mount) => mount.destroy());
      reset();
    },
  };
}
