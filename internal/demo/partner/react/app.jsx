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

function Integrations() {
  const [user, setUser] = useState(currentUser);
  const [status, setStatus] = useState(null);
  useEffect(
    () =>
      onUserChange((next) => {
        setStatus(null);
        setUser(next);
      }),
    [],
  );

  return (
    <>
      <div className="stage-head">
        <div>
          <h2>Connections</h2>
          <p className="muted">
            {user.customer}, as {user.name} ({user.role})
          </p>
        </div>
        <span className="tag">
          contextKey <code>{user.id}</code>
        </span>
      </div>
      <div className="status-bar">
        <span className="status-label">Status:</span>
        <span id="statusId" className="status-text" role="status" aria-live="polite" data-state={statusState(status)}>
          {statusText(status)}
        </span>
        <span className="status-hint">from onConnectionStatusChange</span>
      </div>
      <OrielProvider
        baseUrl={orielURL}
        fetchToken={fetchToken}
        contextKey={user.id}
        onError={(code, message) => note(`onError ${code}: ${message}`, 'error')}
      >
        <div className="widget-mount">
          <ConnectionsWidget
            autoResize
            height={240}
            onReady={() => note('onReady: the widget holds its token')}
            onConnectionStatusChange={setStatus}
          />
        </div>
      </OrielProvider>
    </>
  );
}

function enrollmentText(e) {
  if (!e) return '—';
  return `${e.plan_kind} ${e.waived ? 'waived' : 'elected'}`;
}

// Benefits is the Benefits page: the employee dashboard for the signed-in
// user, who is an employee of their company.
function Benefits() {
  const [user, setUser] = useState(currentUser);
  const [enrollment, setEnrollment] = useState(null);
  useEffect(
    () =>
      onUserChange((next) => {
        setEnrollment(null);
        setUser(next);
      }),
    [],
  );

  return (
    <>
      <div className="stage-head">
        <div>
          <h2>Benefits</h2>
          <p className="muted">
            {user.name}, an employee of {user.customer}
          </p>
        </div>
        <span className="tag">
          contextKey <code>{user.id}</code>
        </span>
      </div>
      <div className="status-bar">
        <span className="status-label">Last enrollment:</span>
        <span id="enrollmentId" className="status-text" role="status" aria-live="polite" data-state={enrollment ? 'connected' : undefined}>
          {enrollmentText(enrollment)}
        </span>
        <span className="status-hint">from onEnrollmentSubmitted</span>
      </div>
      <OrielProvider
        baseUrl={orielURL}
        fetchToken={fetchToken}
        contextKey={user.id}
        onError={(code, message) => note(`onError ${code}: ${message}`, 'error')}
      >
        <div className="widget-mount">
          <EmployeeViewWidget
            height="720px"
            onReady={() => note('onReady: the dashboard holds its token')}
            onEnrollmentSubmitted={(e) => {
              setEnrollment(e);
              note(`onEnrollmentSubmitted: ${enrollmentText(e)} (election ${e.election_id})`);
            }}
          />
        </div>
      </OrielProvider>
    </>
  );
}

const integrations = document.getElementById('react-root');
if (integrations) createRoot(integrations).render(<Integrations />);
const benefits = document.getElementById('benefits-root');
if (benefits) createRoot(benefits).render(<Benefits />);
