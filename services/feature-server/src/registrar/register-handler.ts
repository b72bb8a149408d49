// The REGISTER handler (RFC 3261 §10.3): digest authentication runs before it as
// middleware; this maps the request onto `processRegister`, stores the outcome in the
// shared state and answers with the AOR's current bindings.
import {
  SipError,
  formatUri,
  getTokenList,
  parseUri,
  uriEquals,
  type Clock,
  type IncomingRequest,
  type Middleware,
  type NameAddr,
  type Params,
  type Uri,
} from '@ipvoice/sip';
import type { Binding, StateStore } from '@ipvoice/state';
import { aorUser, nationalNumber } from './aor.ts';
import {
  processRegister,
  type RegisterRequest,
  type RegistrarPolicy,
  type RequestedContact,
} from './process-register.ts';

/** What the registrar needs to know about the authenticated SIP-ID. */
export interface RegistrantFacts {
  username: string;
  /** The base number the credential belongs to (national digits). */
  number: string;
}

export interface RegisterHandlerDeps {
  state: StateStore;
  clock: Clock;
  serverId: string;
  policy: RegistrarPolicy;
  findRegistrant: (username: string) => Promise<RegistrantFacts | undefined>;
  /** Told about every stored change, e.g. to keep UDP keep-alives in step. */
  onChange?: (aor: string, put: readonly Binding[], removed: readonly string[]) => void;
}

export function registerHandler(deps: RegisterHandlerDeps): Middleware {
  return async (req, res) => {
    const username = req.locals.auth?.username;
    if (username === undefined) throw new SipError(500, 'Authentication Not Configured');
    const aor = await authorizedAor(req, username, deps);
    const request = registerRequest(req, aor);

    // One REGISTER per AOR at a time across the cluster, so the read-modify-write of
    // §10.3 steps 6–7 never interleaves with another server's.
    const outcome = await deps.state.withLock(`register:${aor}`, 5000, async () => {
      const existing = await deps.state.registrations.list(aor);
      const result = processRegister(request, existing, {
        now: deps.clock.now(),
        serverId: deps.serverId,
        policy: deps.policy,
      });
      if (result.kind === 'update') {
        for (const id of result.remove) await deps.state.registrations.remove(aor, id);
        for (const b of result.put) await deps.state.registrations.put(b);
      }
      return result;
    });

    if (outcome.kind === 'reject') {
      const headers: Record<string, string> = {};
      if (outcome.minExpires !== undefined) headers['Min-Expires'] = String(outcome.minExpires);
      throw new SipError(outcome.status, outcome.reason, headers);
    }
    deps.onChange?.(aor, outcome.put, outcome.remove);

    // Step 8: the 200 lists every current binding with its remaining interval.
    const now = deps.clock.now();
    const headers: Record<string, string | string[]> = { Date: new Date(now).toUTCString() };
    // RFC 3327 §5.3: the stored Path is echoed only to a UA that supports it.
    if (request.path.length > 0 && supports(req, 'path')) headers['Path'] = request.path;
    const sent = req.message.contact;
    const contact = outcome.current.map((b) => {
      // A binding this request refreshed holds the text of one of its contacts (same index
      // in request.contacts): reuse that parsed URI rather than parse the text back.
      const i = request.contacts.findIndex((c) => c.uri === b.contact);
      return contactOf(b, now, i < 0 ? undefined : sent[i]?.uri);
    });
    await res.send(200, 'OK', { headers, contact });
  };
}

/** RFC 3261 §10.3 steps 4–5: the To URI names an AOR this SIP-ID may register. Unknown
 * and foreign AORs get the same 403 so the answer reveals nothing about other numbers. */
async function authorizedAor(
  req: IncomingRequest,
  username: string,
  deps: RegisterHandlerDeps,
): Promise<string> {
  const user = aorUser(req.message.to.uri);
  if (user === undefined) throw new SipError(404, 'Not Found');
  const registrant = await deps.findRegistrant(username);
  if (!registrant) throw new SipError(403, 'Forbidden');
  const number = nationalNumber(user);
  if (number === registrant.number || user === registrant.username) return registrant.number;
  throw new SipError(403, 'Forbidden');
}

function registerRequest(req: IncomingRequest, aor: string): RegisterRequest {
  const m = req.message;
  const request: RegisterRequest = {
    aor,
    contacts: m.contact.map(requestedContact),
    wildcard: m.contactWildcard,
    callId: m.callId,
    cseq: m.cseq.seq,
    path: req.getAll('Path'),
    flow: { ...req.flow },
  };
  const expires = req.get('Expires');
  if (expires !== undefined) request.expires = integerField(expires, 'Invalid Expires');
  const userAgent = req.get('User-Agent');
  if (userAgent !== undefined) request.userAgent = userAgent;
  // RFC 6665 §8.2.2 (compact form `u`): what the device accepts NOTIFYs for.
  const events = getTokenList(m, 'Allow-Events').map((e) => e.toLowerCase());
  if (events.length > 0) request.events = events;
  return request;
}

function requestedContact(contact: NameAddr): RequestedContact {
  const uri = contact.uri;
  const text = formatUri(uri);
  const requested: RequestedContact = {
    uri: text,
    sameAs: (other) => {
      // A refresh sends the contact it registered: the same text needs no parsing.
      if (other === text) return true;
      const parsed = parseUri(other);
      return parsed !== undefined && uriEquals(parsed, uri);
    },
  };
  const p = contact.params;
  if (p['expires'] != null)
    requested.expires = integerField(p['expires'], 'Invalid expires parameter');
  if (p['q'] != null) requested.q = qValue(p['q']);
  // RFC 5626 §4.2: with both instance and reg-id the registrar keys the binding by them.
  if (p['+sip.instance'] != null) requested.instanceId = p['+sip.instance'];
  if (p['reg-id'] != null) requested.regId = integerField(p['reg-id'], 'Invalid reg-id');
  return requested;
}

function contactOf(b: Binding, now: number, parsed: Uri | undefined): NameAddr {
  const uri = parsed ?? parseUri(b.contact);
  // Stored contacts were formatted from parsed URIs, so they always parse back.
  if (!uri) throw new SipError(500, 'Corrupt Binding');
  const params: Params = { expires: String(Math.max(0, Math.ceil((b.expiresAt - now) / 1000))) };
  if (b.q !== undefined) params['q'] = formatQ(b.q);
  if (b.instanceId !== undefined) params['+sip.instance'] = b.instanceId;
  if (b.regId !== undefined) params['reg-id'] = String(b.regId);
  return { uri, params };
}

function integerField(text: string, reason: string): number {
  if (!/^\d{1,10}$/.test(text.trim())) throw new SipError(400, reason);
  return Number(text);
}

/** RFC 3261 §25.1: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). */
function qValue(text: string): number {
  if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(text)) throw new SipError(400, 'Invalid q-value');
  return Number(text);
}

function formatQ(q: number): string {
  return q === 1 ? '1' : q.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

function supports(req: IncomingRequest, tag: string): boolean {
  return getTokenList(req.message, 'Supported').some((t) => t.toLowerCase() === tag);
}
