// Middleware that admits only requests with valid digest credentials (RFC 3261 §22),
// answering the rest with a challenge. Unknown users and wrong passwords get the same
// answer (the DigestServer does the same work for both).
import { randomBytes } from 'node:crypto';
import {
  DigestServer,
  type CredentialLookup,
  type DigestFailure,
  type DigestServerOptions,
} from '../auth/digest-server.ts';
import type { DigestAlgorithm, DigestQop } from '../auth/digest.ts';
import type { Clock } from '../core/clock.ts';
import type { HeaderField } from '../message/types.ts';
import type { Middleware } from './middleware.ts';
import type { HeaderInit } from './sip-error.ts';

export interface DigestAuthOptions {
  realm: string;
  lookup: CredentialLookup;
  /** Keys the nonces; servers sharing it accept each other's nonces. Random by default. */
  secret?: string | Buffer;
  /** Challenge with 407 / Proxy-Authenticate instead of 401 / WWW-Authenticate (§22.3). */
  proxy?: boolean;
  algorithms?: readonly DigestAlgorithm[];
  qop?: readonly DigestQop[];
  nonceLifetimeSeconds?: number;
  clock?: Clock;
  /** Told about every refused request, e.g. to count failures per source. */
  onFailure?: (failure: DigestFailure) => void;
  /** See DigestServerOptions.acceptDigestUri. */
  acceptDigestUri?: DigestServerOptions['acceptDigestUri'];
}

/** Methods that cannot be challenged: RFC 3261 §22.1, they cannot be resubmitted. */
const unchallengeable = new Set(['ACK', 'CANCEL']);

export function digestAuth(options: DigestAuthOptions): Middleware {
  const server = new DigestServer({
    realm: options.realm,
    secret: options.secret ?? randomBytes(32),
    ...(options.algorithms ? { algorithms: options.algorithms } : {}),
    ...(options.qop ? { qop: options.qop } : {}),
    ...(options.nonceLifetimeSeconds !== undefined
      ? { nonceLifetimeSeconds: options.nonceLifetimeSeconds }
      : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.acceptDigestUri ? { acceptDigestUri: options.acceptDigestUri } : {}),
  });
  const proxy = options.proxy ?? false;

  return async (req, res, next) => {
    if (unchallengeable.has(req.method)) return next();
    const result = await server.verify(req.message, options.lookup, { proxy });
    if (result.ok) {
      req.locals.auth = { username: result.username, realm: server.realm };
      return next();
    }
    options.onFailure?.(result.reason);
    // RFC 2617 §3.2.2.5: credentials for another URI, or that do not parse, are a bad request.
    if (result.reason === 'malformed' || result.reason === 'uri-mismatch') {
      await res.send(
        400,
        result.reason === 'malformed' ? 'Malformed Credentials' : 'Digest URI Mismatch',
      );
      return;
    }
    // RFC 2617 §3.2.1: a right digest over an old (or replayed) nonce is stale.
    const stale = result.reason === 'stale' || result.reason === 'replay';
    const headers = groupFields(server.challenge(req.message, { stale, proxy }));
    await res.send(proxy ? 407 : 401, undefined, { headers });
  };
}

function groupFields(fields: readonly HeaderField[]): HeaderInit {
  const grouped: Record<string, string[]> = {};
  for (const f of fields) (grouped[f.name] ??= []).push(f.value);
  return grouped;
}
