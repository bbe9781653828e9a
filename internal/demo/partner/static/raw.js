// The raw-iframe and Fully Embedded pages: the connection widget reference's
// example script, with an origin check added. It sizes the iframe from
// heightChange and shows connectionStatusChange as the page's status, where
// the page has one.
import { orielOrigin } from './app.js';

window.addEventListener('message', receiveMessage);

function receiveMessage(event) {
  if (event.origin !== orielOrigin) return; // only Oriel speaks to this page
  var data = JSON.parse(event.data);

  switch (data.type) {
    case 'heightChange':
      document.getElementById('orielWidget').style.height = data.payload.height + 'px';
      break;
    case 'connectionStatusChange':
      var message = data.payload.error || (data.payload.connected ? 'Connected' : 'Disconnected');
      var status = document.getElementById('statusId');
      if (!status) break;
      status.innerText = message;
      status.dataset.state = data.payload.error ? 'error' : data.payload.connected ? 'connected' : 'disconnected';
      break;
    case 'error':
      console.log(data.payload.message);
  }
}
