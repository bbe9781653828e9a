/**
 * @oriel/react: React components over @oriel/js. `<OrielProvider>` holds one
 * Oriel instance (one token for all its widgets); each widget component
 * mounts its iframe in a <div> it renders, and passes new props on with
 * `update`. Works with React 18 and 19, StrictMode included.
 */
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useMemo,
  useRef,
  type CSSProperties,
  type ReactElement,
  type ReactNode,
} from "react";
import {
  createOriel,
  type MountedWidget,
  type MountOptions,
  type Oriel,
  type OrielOptions,
  type WidgetOptions,
  type WidgetStyle,
} from "@oriel/js";

export type {
  AccessToken,
  AccessTokenResponse,
  Appearance,
  AppearanceColor,
  AppointmentEvent,
  AppointmentRescheduled,
  ConnectionStatus,
  EnrollmentSubmitted,
  ErrorCallback,
  LifeEventSubmitted,
  OrielOptions,
  WidgetKind,
  WidgetOptions,
} from "@oriel/js";

const OrielContext = createContext<Oriel | null>(null);

/** The props of `<OrielProvider>`: the options of `createOriel`, and children. */
export interface OrielProviderProps extends OrielOptions {
  children?: ReactNode;
}

/**
 * Provides one Oriel instance to the widgets inside it. A new `baseUrl` or
 * `allowedOrigins` makes a new instance; a new `contextKey` switches the
 * user (see `Oriel.setContextKey`); `fetchToken` and `onError` may change on
 * every render.
 */
export function OrielProvider(props: OrielProviderProps): ReactElement {
  const latest = useRef(props);
  latest.current = props;
  const { baseUrl, allowedOrigins, contextKey } = props;
  const origins = allowedOrigins && allowedOrigins.join(" ");
  const oriel = useMemo(
    () =>
      createOriel({
        baseUrl,
        allowedOrigins,
        contextKey: latest.current.contextKey,
        fetchToken: () => latest.current.fetchToken(),
        onError: (code, message) => latest.current.onError?.(code, message),
      }),
    // allowedOrigins is compared by value, through origins.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [baseUrl, origins],
  );
  useEffect(() => oriel.setContextKey(contextKey), [oriel, contextKey]);
  return createElement(OrielContext.Provider, { value: oriel }, props.children);
}

/** The props of every widget component: the mount options, with React's style type. */
export interface WidgetProps extends Omit<WidgetOptions, "style"> {
  style?: CSSProperties;
}

/** The props of `<ConnectionWidget>`. */
export interface ConnectionWidgetProps extends WidgetProps {
  connectionId: string;
}

function useWidget(options: MountOptions): ReactElement {
  const oriel = useContext(OrielContext);
  if (!oriel) throw new Error("Oriel widgets must be inside <OrielProvider>");
  const container = useRef<HTMLDivElement>(null);
  const widget = useRef<MountedWidget | null>(null);
  useEffect(() => {
    const mounted = oriel.mount(container.current!, options);
    widget.current = mounted;
    return mounted.destroy;
    // The widget mounts once per instance; later props go through update.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [oriel]);
  useEffect(() => widget.current!.update(options));
  return createElement("div", { ref: container });
}

/** The connections widget: the customer's connections, to connect and manage. */
export function ConnectionsWidget(props: WidgetProps): ReactElement {
  return useWidget({ ...props, style: props.style as WidgetStyle, widget: "connections" });
}

/** The connection widget: one connection, by id. */
export function ConnectionWidget(props: ConnectionWidgetProps): ReactElement {
  return useWidget({ ...props, style: props.style as WidgetStyle, widget: "connection" });
}

/**
 * The props of `<EmployeeViewWidget>`: exactly the seed's (`width`, default
 * `"100%"`; `height`, default `"600px"`; `className`; `style`; `onReady`;
 * `onTokenExpired`; `onAuthError`; `onError`), plus `onEnrollmentSubmitted`,
 * `onLifeEventSubmitted`, `onAppointmentBooked`, `onAppointmentRescheduled`
 * and `onAppointmentCancelled`.
 */
export type EmployeeViewWidgetProps = Pick<
  WidgetProps,
  "width" | "height" | "className" | "style" | "onReady" | "onTokenExpired" | "onAuthError" | "onError" | "onEnrollmentSubmitted"
  | "onLifeEventSubmitted"
  | "onAppointmentBooked"
  | "onAppointmentRescheduled"
  | "onAppointmentCancelled"
>;

/** The employee dashboard: the signed-in employee's benefits, to enroll in and manage. */
export function EmployeeViewWidget(props: EmployeeViewWidgetProps): ReactElement {
  return useWidget({ ...props, style: props.style as WidgetStyle, widget: "employee-dashboard" });
}
