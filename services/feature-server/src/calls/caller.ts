// Who places a call: a trusted peer recognised by its address (not challenged), or one of
// our subscribers' devices, authenticated by digest against its SIP credentials (SPEC §1).
import type { Trunk } from '@ipvoice/config';
import { numberFromUri, type Anonymity } from '@ipvoice/features';
import {
  getTokenList,
  parseNameAddr,
  SipError,
  type IncomingRequest,
  type Middleware,
} from '@ipvoice/sip';
import { trunkOf } from './legs.ts';
import type { Subscriber, SubscriberCache } from './subscriber-cache.ts';

/** Who is calling, as established by the INVITE's source or credentials. */
export type Caller =
  | {
      kind: 'trunk';
      trunk: Trunk;
      /** The number shown: absent when withheld or unknown. */
      number?: string;
      anonymity?: Anonymity;
      /** The identity a trusted peer asserted even when withheld (RFC 3325), passed on only
       * to trusted peers. */
      assertedNumber?: string;
    }
  | { kind: 'subscriber'; subscriber: Subscriber; number: string };

export interface IdentifyOptions {
  trunks: readonly Trunk[];
  subscribers: SubscriberCache;
  credentials: (username: string) => Promise<{ number: string } | undefined>;
  /** The digest middleware shared with the registrar. */
  auth: Middleware;
}

/** Sets `req.locals.caller` (a `Caller`) or answers 401/403. */
export function identifyCaller(options: IdentifyOptions): Middleware {
  return async (req, res, next) => {
    const trunk = trunkOf(options.trunks, req.flow);
    if (trunk) {
      req.locals['caller'] = { kind: 'trunk', trunk, ...trunkCallerId(req) } satisfies Caller;
      return next();
    }
    await options.auth(req, res, async () => {
      const username = req.locals.auth?.username;
      const credential = username ? await options.credentials(username) : undefined;
      const subscriber = credential ? await options.subscribers.get(credential.number) : undefined;
      if (!subscriber) throw new SipError(403, 'Forbidden');
      req.locals['caller'] = {
        kind: 'subscriber',
        subscriber,
        number: subscriber.base.number,
      } satisfies Caller;
      await next();
    });
  };
}

/**
 * The caller's number as a trunk presents it: P-Asserted-Identity (RFC 3325) before From.
 * SPEC §3.7: `Privacy: id`/`user`, or an anonymous From without an asserted identity, is the
 * caller's own withholding; `cpc=payphone` marks a payphone, which is never "withheld"; no
 * number for any other reason is "unavailable".
 */
export function trunkCallerId(req: IncomingRequest): {
  number?: string;
  anonymity?: Anonymity;
  assertedNumber?: string;
} {
  const pai = req.get('P-Asserted-Identity');
  const asserted = pai ? parseNameAddr(pai) : undefined;
  const from = req.message.from.uri;
  const number = (asserted ? numberFromUri(asserted.uri) : undefined) ?? numberFromUri(from);
  const known = number ? { assertedNumber: number } : {};
  if ([from, asserted?.uri].some((uri) => uri !== undefined && isPayphone(uri)))
    return { anonymity: 'payphone', ...(number ? { number } : {}) };
  const privacy = getTokenList(req.message, 'Privacy').map((t) => t.toLowerCase());
  if (privacy.includes('id') || privacy.includes('user'))
    return { anonymity: 'withheld', ...known };
  const anonymousFrom = /^anonymous$/i.test((from as { user?: string }).user ?? '');
  if (anonymousFrom && !asserted) return { anonymity: 'withheld' };
  if (!number) return { anonymity: 'unavailable' };
  return { number };
}

/** `cpc=payphone` (the calling party's category) on the URI or in its user part. */
function isPayphone(uri: unknown): boolean {
  const u = uri as { user?: string; params?: Record<string, string | null> };
  if (u.params?.['cpc']?.toLowerCase() === 'payphone') return true;
  return /;cpc=payphone(;|$)/i.test(u.user ?? '');
}

/** Methods that exist only within a dialog: outside one (no To tag) there is nothing to do. */
export function inDialogOnly(): Middleware {
  return async (req, res) => {
    // RFC 3261 §12.2.2 / §15.1.2: a BYE or the like for no dialog of ours.
    if (req.method !== 'ACK') await res.send(481, 'Call/Transaction Does Not Exist');
  };
}
