// The React pages: Northwind's React app, with Oriel's React components —
// the connections widget on the React page, the employee dashboard
// (EmployeeViewWidget) on the Benefits page.
// `npm run build:demo` bundles it, React and @oriel/react into
// ../static/react-app.js, which is committed, so running the demo needs no
// Node. The provider's contextKey is the signed-in user: switching users
// discards the token and remounts the widget for the new one.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ConnectionsWidget, EmployeeViewWidget, OrielProvider } from '@oriel/react';
import { currentUser, fetchToken, note, onUserChange, orielURL } from '../static/app.js';

function statusText(status) {
  if (!status) return '—';
  return status.error || (status.connected ? 'Connected' : 'Disconnected');
}

function statusState(status) {
  if (!status) return undefined;
  return status.error ? 'error' : status.connected ? 'connected' : 'disconnected';
}

function enrollmentText(e) {
  if (!e) return '—';
  return `${e.plan_kind} ${e.waived ? 'waived' : 'elected'}`;
}

/**
 * One example page: its heading for the signed-in user, a status line fed
 * by the widget's callback, and the widget inside an <OrielProvider> whose
 * contextKey is the user. widget(setEvent) renders the widget; a switch of
 * users clears the status.
 */
function Example({ title, subtitle, statusLabel, statusId, hint, text, state, widget }) {
  const [user, setUser] = useState(currentUser);
  const [event, setEvent] = useState(null);
  useEffect(
    () =>
      onUserChange((next) => {
        setEvent(null);
        setUser(next);
      }),
    [],
  );

  return (
    <>
      <div className="stage-head">
        <div>
          <h2>{title}</h2>
          <p className="muted">{subtitle(user)}</p>
        </div>
        <span className="tag">
          contextKey <code>{user.id}</code>
        </span>
      </div>
      <div className="status-bar">
        <span className="status-label">{statusLabel}</span>
        <span id={statusId} className="status-text" role="status" aria-live="polite" data-state={state(event)}>
          {text(event)}
        </span>
        <span className="status-hint">{hint}</span>
      </div>
      <OrielProvider
        baseUrl={orielURL}
        fetchToken={fetchToken}
        contextKey={user.id}
        onError={(code, message) => note(`onError ${code}: ${message}`, 'error')}
      >
        <div className="widget-mount">{widget(setEvent)}</div>
      </OrielProvider>
    </>
  );
}

function Integrations() {
  return (
    <Example
      title="Connections"
      subtitle={(user) => `${user.customer}, as ${user.name} (${user.role})`}
      statusLabel="Status:"
      statusId="statusId"
      hint="Demo CRM, from onConnectionStatusChange"
      text={statusText}
      state={statusState}
      widget={(setStatus) => (
        <ConnectionsWidget
          autoResize
          height={240}
          onReady={() => note('onReady: the widget holds its token')}
          onConnectionStatusChange={(next) => next.integration === 'crm' && setStatus(next)}
        />
      )}
    />
  );
}

// Benefits is the Benefits page: the employee dashboard for the signed-in
// user, who is an employee of their company.
function Benefits() {
  return (
    <Example
      title="Benefits"
      subtitle={(user) => `${user.name}, an employee of ${user.customer}`}
      statusLabel="Last enrollment:"
      statusId="enrollmentId"
      hint="from onEnrollmentSubmitted"
      text={enrollmentText}
      state={(e) => (e ? 'connected' : undefined)}
      widget={(setEnrollment) => (
        <EmployeeViewWidget
          height="720px"
          onReady={() => note('onReady: the dashboard holds its token')}
          onEnrollmentSubmitted={(e) => {
            setEnrollment(e);
            note(`onEnrollmentSubmitted: ${enrollmentText(e)} (election ${e.election_id})`);
          }}
          onAppointmentBooked={(a) => note(`onAppointmentBooked: ${a.type_name} at ${a.start} (appointment ${a.appointment_id})`)}
          onAppointmentRescheduled={(a) => note(`onAppointmentRescheduled: ${a.type_name} moved from ${a.previous_start} to ${a.start}`)}
          onAppointmentCancelled={(a) => note(`onAppointmentCancelled: ${a.type_name} at ${a.start} (appointment ${a.appointment_id})`)}
        />
      )}
    />
  );
}

const integrations = document.getElementById('react-root');
if (integrations) createRoot(integrations).render(<Integrations />);
const benefits = document.getElementById('benefits-root');
if (benefits) createRoot(benefits).render(<Benefits />);
