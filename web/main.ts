import { isKiosk } from './app/layout.ts';
import type { App } from './components/app.ts';
import './components/app.ts';
import { scheduler } from './render/frame-scheduler.ts';
import { Session, takeFragmentToken } from './app/session.ts';
import { httpTransportFor, pinnedTransport, StreamClient, ticketCredentials } from './stream/index.ts';

// Before anything else: a provisioning link's `#token=` is stored and leaves the address bar.
takeFragmentToken();
const session = new Session();
// A 15 minute chart at 1 update/s needs ~900 records: ask for a full window where the server allows.
// Support staff can pin the transport with ?transport=ws|stream|poll (docs/protocol.md 2.4).
const transport = httpTransportFor(pinnedTransport(location.search));
const client = new StreamClient({
  history: 1000,
  credentials: ticketCredentials(() => session.token),
  ...(transport === undefined ? {} : { transport }),
});
session.attach(client);
client.on('data', () => scheduler.request());
client.on('state', () => scheduler.request());
client.on('upstream', () => scheduler.request());
client.on('feeds', () => scheduler.request());
client.on('version-change', () => {
  // A wall screen must run the code the gateway serves; a trader's desk is told (status bar) instead.
  if (isKiosk(location.search)) location.reload();
});
scheduler.start();
client.start();

const app = document.querySelector<App>('tw-app');
if (app !== null) {
  app.session = session;
  app.client = client;
}

/** Handle for tests, the browser benchmark and support sessions (read-only use). */
(globalThis as { tickwall?: unknown }).tickwall = { client, scheduler };
