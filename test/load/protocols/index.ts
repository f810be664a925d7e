import type { Protocol, ProtocolName } from '../protocol.ts';
import { floorProtocol } from './floor.ts';
import { jsonProtocol } from './json.ts';
import { socketioProtocol } from './socketio.ts';
import { tickwallProtocol } from './tickwall.ts';

/** Protocol adapters by name. */
export const protocols: Record<ProtocolName, Protocol> = {
  tickwall: tickwallProtocol,
  json: jsonProtocol,
  socketio: socketioProtocol,
  floor: floorProtocol,
};
