// The binding update of RFC 3261 §10.3 steps 6–8 as a pure function: given the bindings
// an AOR has and what a REGISTER asks for, say what to store, what to remove and what to
// answer. No I/O, so every rule is a table test.
import type { Binding, BindingFlow } from '@ipvoice/state';

export interface RequestedContact {
  /** The Contact URI as text, as it will be given back in the 200's Contact. */
  uri: string;
  /** Decides whether two contacts are the same binding (RFC 3261 §19.1.4 URI equality). */
  sameAs: (otherUri: string) => boolean;
  /** The `expires` Contact parameter, if present (already checked to be a number). */
  expires?: number;
  q?: number;
  /** RFC 5626 §4.1 `+sip.instance` and `reg-id`: with both, they identify the binding. */
  instanceId?: string;
  regId?: number;
}

export interface RegisterRequest {
  aor: string;
  contacts: RequestedContact[];
  /** `Contact: *` */
  wildcard: boolean;
  /** The Expires header field, if present. */
  expires?: number;
  callId: string;
  cseq: number;
  path: string[];
  flow: BindingFlow;
  userAgent?: string;
  /** Allow-Events of the REGISTER, lower-case. */
  events?: string[];
}

export interface RegistrarPolicy {
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
  maxContacts: number;
}

export type RegisterOutcome =
  | { kind: 'reject'; status: number; reason: string; minExpires?: number }
  | {
      kind: 'update';
      /** Bindings to write (new or refreshed). */
      put: Binding[];
      /** bindingIds to delete. */
      remove: string[];
      /** Every binding of the AOR after the update, for the 200's Contact list. */
      current: Binding[];
    };

export interface RegisterContext {
  now: number;
  serverId: string;
  policy: RegistrarPolicy;
}

const MAX_EXPIRES_FIELD = 2 ** 32 - 1;

export function processRegister(
  request: RegisterRequest,
  existing: readonly Binding[],
  ctx: RegisterContext,
): RegisterOutcome {
  const live = existing.filter((b) => b.expiresAt > ctx.now);

  // Step 6: `Contact: *` is only valid alone and with Expires: 0 (RFC 3261 §10.2.2).
  if (request.wildcard) {
    if (request.contacts.length > 0 || request.expires !== 0) {
      return { kind: 'reject', status: 400, reason: 'Invalid wildcard Contact' };
    }
    // Step 6: a binding whose Call-ID agrees is removed only if the CSeq is higher;
    // otherwise the whole update is aborted.
    for (const b of live) {
      if (b.callId === request.callId && request.cseq <= b.cseq) {
        return { kind: 'reject', status: 500, reason: 'Out of order CSeq' };
      }
    }
    return { kind: 'update', put: [], remove: live.map((b) => b.bindingId), current: [] };
  }

  if (
    request.expires !== undefined &&
    (request.expires < 0 || request.expires > MAX_EXPIRES_FIELD)
  ) {
    return { kind: 'reject', status: 400, reason: 'Invalid Expires' };
  }

  const put: Binding[] = [];
  const remove: string[] = [];
  const touched = new Set<string>();

  for (const contact of request.contacts) {
    if (contact.q !== undefined && (contact.q < 0 || contact.q > 1)) {
      return { kind: 'reject', status: 400, reason: 'Invalid q-value' };
    }
    // Step 7: the expiration interval is the expires parameter, else the Expires header
    // field, else the registrar's default.
    let expires = contact.expires ?? request.expires ?? ctx.policy.defaultExpires;
    if (expires < 0 || expires > MAX_EXPIRES_FIELD) {
      return { kind: 'reject', status: 400, reason: 'Invalid expires parameter' };
    }
    if (expires > 0 && expires < ctx.policy.minExpires) {
      return {
        kind: 'reject',
        status: 423,
        reason: 'Interval Too Brief',
        minExpires: ctx.policy.minExpires,
      };
    }
    expires = Math.min(expires, ctx.policy.maxExpires);

    const instanceKey =
      contact.instanceId !== undefined
        ? `${contact.instanceId};reg-id=${contact.regId ?? ''}`
        : undefined;
    const match = live.find((b) =>
      instanceKey !== undefined
        ? b.bindingId === instanceKey
        : !b.instanceId && contact.sameAs(b.contact),
    );

    // Step 7: an existing binding with the same Call-ID is only changed by a higher CSeq;
    // anything else aborts the whole request.
    if (match && match.callId === request.callId && request.cseq <= match.cseq) {
      return { kind: 'reject', status: 500, reason: 'Out of order CSeq' };
    }

    const bindingId = match?.bindingId ?? instanceKey ?? contact.uri;
    if (touched.has(bindingId)) continue; // the same contact twice in one request: first wins
    touched.add(bindingId);

    if (expires === 0) {
      if (match) remove.push(match.bindingId);
      continue;
    }

    const binding: Binding = {
      aor: request.aor,
      bindingId,
      contact: contact.uri,
      expiresAt: ctx.now + expires * 1000,
      callId: request.callId,
      cseq: request.cseq,
      path: request.path,
      flow: request.flow,
      serverId: ctx.serverId,
      registeredAt: match?.registeredAt ?? ctx.now,
    };
    if (contact.q !== undefined) binding.q = contact.q;
    if (contact.instanceId !== undefined) binding.instanceId = contact.instanceId;
    if (contact.regId !== undefined) binding.regId = contact.regId;
    if (request.userAgent !== undefined) binding.userAgent = request.userAgent;
    if (request.events !== undefined) binding.events = request.events;
    put.push(binding);
  }

  const removed = new Set(remove);
  const replaced = new Set(put.map((b) => b.bindingId));
  const current = [
    ...live.filter((b) => !removed.has(b.bindingId) && !replaced.has(b.bindingId)),
    ...put,
  ];
  if (current.length > ctx.policy.maxContacts) {
    return { kind: 'reject', status: 403, reason: 'Too Many Contacts' };
  }
  return { kind: 'update', put, remove, current };
}
