// The UAS checks of RFC 3261 §8.2, run in the RFC's order before any user middleware.
// Each check is a small function returning a rejection (the response to send) or nothing.
import type { SipRequest } from '../message/types.ts';
import { headerValues } from './header-access.ts';
import type { HeaderInit } from './sip-error.ts';

export interface Rejection {
  status: number;
  reason?: string;
  headers?: HeaderInit;
}

export interface ValidationPolicy {
  /** Methods the application answers (the Allow header lists these). */
  allow: readonly string[];
  /** Option tags we support (RFC 3261 §8.2.2.3). Compared case-insensitively. */
  supported: readonly string[];
  /** Body types understood, per method; a method not listed takes any body (§8.2.3). */
  accept: Readonly<Record<string, readonly string[]>>;
  /** Whether an earlier request with this From tag, Call-ID and CSeq arrived on another
   * transaction (§8.2.2.2). */
  isMerged(request: SipRequest): boolean;
}

export type Check = (request: SipRequest, policy: ValidationPolicy) => Rejection | undefined;

/** Methods of RFC 3261 and its common extensions; anything else is "unknown" (501). */
export const knownMethods: readonly string[] = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
];

const supportedSchemes = new Set(['sip', 'sips', 'tel']);

// RFC 3261 §8.1.1.4 / §8.2.6: a server that does not speak the request's version says so.
export const checkVersion: Check = (request) =>
  request.version.toUpperCase() === 'SIP/2.0' ? undefined : { status: 505 };

// RFC 3261 §8.1.1.5: the CSeq method matches the request method; a mismatch is malformed
// (RFC 4475 torture message "mismatch01").
export const checkCSeqMethod: Check = (request) =>
  request.cseq.method === request.method
    ? undefined
    : { status: 400, reason: 'CSeq Method Mismatch' };

// RFC 3261 §8.2.1: 501 for a method we do not know, 405 for one we know but do not serve;
// both list what we do serve in Allow.
export const checkMethod: Check = (request, policy) => {
  if (policy.allow.includes(request.method)) return undefined;
  const allow = { Allow: policy.allow.join(', ') };
  return knownMethods.includes(request.method)
    ? { status: 405, headers: allow }
    : { status: 501, headers: allow };
};

// RFC 3261 §8.2.2.1: a Request-URI scheme we do not understand gets 416.
export const checkUriScheme: Check = (request) =>
  supportedSchemes.has(request.uri.scheme.toLowerCase()) ? undefined : { status: 416 };

// RFC 3261 §8.2.2.2: a request without a To tag that matches an ongoing transaction's
// From tag, Call-ID and CSeq but not the transaction itself arrived by another path.
export const checkMerged: Check = (request, policy) =>
  policy.isMerged(request) ? { status: 482 } : undefined;

// RFC 3261 §8.2.2.3: every option tag in Require must be supported, else 420 listing the
// ones that are not. ACK and CANCEL are exempt (§9.1 forbids Require in CANCEL; ACK is
// never answered).
export const checkRequire: Check = (request, policy) => {
  if (request.method === 'ACK' || request.method === 'CANCEL') return undefined;
  const required = headerValues(request, 'Require');
  if (required.length === 0) return undefined;
  const supported = new Set(policy.supported.map((t) => t.toLowerCase()));
  const unsupported = required
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '' && !supported.has(t.toLowerCase()));
  return unsupported.length > 0
    ? { status: 420, headers: { Unsupported: unsupported.join(', ') } }
    : undefined;
};

// RFC 3261 §8.2.3: a body we must understand but cannot gets 415 with Accept (and
// Accept-Encoding when the encoding is the problem).
export const checkContent: Check = (request, policy): Rejection | undefined => {
  if (request.body.length === 0) return undefined;
  const accepted = policy.accept[request.method];
  if (!accepted) return undefined;
  const encodings = headerValues(request, 'Content-Encoding')
    .flatMap((v) => v.split(','))
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  if (encodings.length > 0) {
    return { status: 415, headers: { Accept: accepted.join(', '), 'Accept-Encoding': 'identity' } };
  }
  const type = mediaType(headerValues(request, 'Content-Type')[0]);
  // RFC 3261 §20.15: a non-empty body must say its type.
  if (type === undefined) return { status: 400, reason: 'Missing Content-Type' };
  return accepted.includes(type)
    ? undefined
    : { status: 415, headers: { Accept: accepted.join(', ') } };
};

// RFC 3261 §21.4.7 / RFC 4475 §3.3.15: our answers to INVITE carry SDP; a request whose
// Accept rules SDP out gets 406.
export const checkAcceptable: Check = (request) => {
  if (request.method !== 'INVITE') return undefined;
  const accept = headerValues(request, 'Accept');
  if (accept.length === 0) return undefined;
  const types = accept
    .flatMap((v) => v.split(','))
    .map((t) => mediaType(t))
    .filter((t) => t !== undefined);
  const ok =
    types.length === 0 ||
    types.some((t) => t === 'application/sdp' || t === 'application/*' || t === '*/*');
  return ok ? undefined : { status: 406 };
};

// RFC 3261 §16.3 step 3 / RFC 4475 §3.3.11: Max-Forwards 0 gets 483, except OPTIONS,
// which we answer ourselves as the final recipient (§11).
export const checkMaxForwards: Check = (request) =>
  request.maxForwards === 0 && request.method !== 'OPTIONS' ? { status: 483 } : undefined;

/** The chain in order; the first rejection wins. */
export const requestChecks: readonly Check[] = [
  checkVersion,
  // RFC 4475 §3.1.2.17 (mismatch02): an unknown method is 501 even when CSeq disagrees.
  checkMethod,
  checkCSeqMethod,
  checkUriScheme,
  checkMerged,
  checkRequire,
  checkContent,
  checkAcceptable,
  checkMaxForwards,
];

export function validateRequest(
  request: SipRequest,
  policy: ValidationPolicy,
): Rejection | undefined {
  for (const check of requestChecks) {
    const rejection = check(request, policy);
    if (rejection) return rejection;
  }
  return undefined;
}

/** `application/SDP; charset=x` → `application/sdp`. */
function mediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}
