// The SDK page: the script-tag build of the browser SDK (window.Oriel, from
// Oriel's /sdk/oriel.js) mounts the connections widget. Switching users
// gives the instance a new contextKey: it drops the token, reloads the
// widget in a fresh iframe and fetches a token for the new user.
import { currentUser, fetchToken, note, onUserChange, orielURL, setStatus } from './app.js';

const mount = document.getElementById('connections');

if (!window.Oriel) {
  note(`The SDK did not load from ${orielURL}/sdk/oriel.js`, 'error');
  mount.textContent = `The SDK did not load from ${orielURL}/sdk/oriel.js.`;
  mount.classList.add('widget-missing');
} else {
  const oriel = window.Oriel.createOriel({
    baseUrl: orielURL,
    contextKey: currentUser.id,
    fetchToken,
    onError: (code, message) => note(`onError ${code}: ${message}`, 'error'),
  });
  oriel.mount(mount, {
    widget: 'connections',
    autoResize: true,
    height: 240,
    onReady: () => note('onReady: the widget holds its token'),
    // The status line follows the Demo CRM, by the integration's key: the
    // widget lists every connection and tells each one's status when it loads.
    onConnectionStatusChange: (status) => status.integration === 'crm' && setStatus(status),
  });
  onUserChange((user) => {
    setStatus(null);
    oriel.setContextKey(user.id);
  });
}
