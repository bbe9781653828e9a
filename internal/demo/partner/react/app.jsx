// The React page: Northwind's React app, with Oriel's React components.
// `npm run build:demo` bundles it, React and @oriel/react into
// ../static/react-app.js, which is committed, so running the demo needs no
// Node. The provider's contextKey is the signed-in user: switching users
// discards the token and remounts the widget for the new one.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ConnectionsWidget, OrielProvider } from '@oriel/react';
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
        <span className="status-hint">Demo CRM, from onConnectionStatusChange</span>
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
            onConnectionStatusChange={(next) => next.integration === 'crm' && setStatus(next)}
          />
        </div>
      </OrielProvider>
    </>
  );
}

createRoot(document.getElementById('react-root')).render(<Integrations />);
