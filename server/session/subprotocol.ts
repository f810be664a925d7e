import { PROTOCOL_VERSION } from '../../codec/constants.ts';

/** The one WebSocket subprotocol the gateway knows: the tickwall protocol of this version. */
export const SUBPROTOCOL = `tickwall.v${PROTOCOL_VERSION}`;

/**
 * ws's `handleProtocols`: selects `tickwall.v2` when the client offers it, else no subprotocol
 * (ws's default would select whatever was offered first, claiming a protocol the gateway does not
 * speak). Other offered values are ignored (docs/protocol.md 2.1).
 */
export function selectSubprotocol(offered: ReadonlySet<string>): string | false {
  return offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false;
}
