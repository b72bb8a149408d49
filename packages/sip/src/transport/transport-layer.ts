// createTransportLayer: binds every listening point and returns one TransportLayer.
import { networkInterfaces } from 'node:os';
import { systemClock, type Clock } from '../core/clock.ts';
import { noopLogger, type Logger } from '../core/logger.ts';
import type { Binding, SocketSettings } from './binding.ts';
import { listenTcp } from './tcp-transport.ts';
import { listenTls, type TlsClientOptions, type TlsCredentials } from './tls-transport.ts';
import { TransportCore } from './transport-core.ts';
import type { TransportProtocol, TransportUser } from './types.ts';
import { listenUdp } from './udp-transport.ts';
import { listenWs } from './ws-transport.ts';

export interface ListenOptions {
  protocol: TransportProtocol;
  /** Defaults to 0.0.0.0. */
  address?: string;
  /** 0 picks an ephemeral port. */
  port: number;
  /** Overrides the layer's advertisedHost for this listening point. */
  advertisedHost?: string;
  /** Certificate and key: required for TLS and WSS. */
  tls?: TlsCredentials;
}

export interface TransportLayerOptions {
  listen: ListenOptions[];
  user: TransportUser;
  /** Host for Via sent-by when a listening point is bound to a wildcard address. */
  advertisedHost?: string;
  clock?: Clock;
  logger?: Logger;
  /** Milliseconds without traffic before a connection is closed; 0 (default) never. */
  idleTimeoutMs?: number;
  /** Largest message accepted, in bytes (default 65,535). */
  maxMessageSize?: number;
  /** How outgoing TLS and WSS connections verify their peer. */
  tlsClient?: TlsClientOptions;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 65_535;

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '[::]';
}

/** The first external IPv4 address, for Via when bound to 0.0.0.0 and nothing was said. */
function firstExternalAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? [])
      if (info.family === 'IPv4' && !info.internal) return info.address;
  }
  return '127.0.0.1';
}

/** Binds every listening point; rejects (closing what was bound) if one fails. */
export async function createTransportLayer(options: TransportLayerOptions): Promise<TransportCore> {
  const logger = options.logger ?? noopLogger;
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const core = new TransportCore({ user: options.user, logger, maxMessageSize });
  const settings: SocketSettings = {
    sink: core,
    maxMessageSize,
    idleTimeoutMs: options.idleTimeoutMs ?? 0,
    clock: options.clock ?? systemClock,
    logger,
  };
  const client = options.tlsClient ?? {};
  try {
    for (const listen of options.listen) {
      const address = listen.address ?? '0.0.0.0';
      const advertisedHost =
        listen.advertisedHost ??
        options.advertisedHost ??
        (isWildcard(address) ? firstExternalAddress() : address);
      const base = { address, port: listen.port, advertisedHost };
      let binding: Binding;
      switch (listen.protocol) {
        case 'UDP':
          binding = await listenUdp(base, settings);
          break;
        case 'TCP':
          binding = await listenTcp(base, settings);
          break;
        case 'TLS':
          if (!listen.tls) throw new Error('TLS listening point needs tls.cert and tls.key');
          binding = await listenTls({ ...base, tls: listen.tls, client }, settings);
          break;
        case 'WS':
        case 'WSS': {
          const ws = { ...base, protocol: listen.protocol, client };
          binding = await listenWs(listen.tls ? { ...ws, tls: listen.tls } : ws, settings);
          break;
        }
      }
      core.addBinding(binding);
    }
  } catch (err) {
    await core.close();
    throw err;
  }
  return core;
}
