// How messages find their transaction: RFC 3261 §17.1.3 (responses to client transactions)
// and §17.2.3 (requests to server transactions, with the RFC 2543 fallback).
import { BRANCH_MAGIC_COOKIE } from '../message/ids.ts';
import type { Params, SipMessage, SipRequest, Uri, Via } from '../message/types.ts';

export function topBranch(message: SipMessage): string | undefined {
  const branch = message.via[0]?.params['branch'];
  return branch ?? undefined;
}

export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(BRANCH_MAGIC_COOKIE);
}

/**
 * RFC 3261 §17.1.3: a response matches a client transaction when the top Via branch equals
 * the request's and the CSeq method equals the request's method (a CANCEL shares the
 * INVITE's branch but is its own transaction).
 */
export function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

/**
 * RFC 3261 §17.2.3: the part of a server transaction's identity shared by every request that
 * can match it. With a magic-cookie branch: branch and top Via sent-by. Without one (RFC
 * 2543 peers): Request-URI, From tag, Call-ID, CSeq number and the whole top Via; the To
 * tag is checked separately because for an ACK it is the tag of the response sent.
 * The method is kept apart so that CANCEL can find the request it cancels (§9.2).
 */
export function serverMatchKey(request: SipRequest): string | undefined {
  const via = request.via[0];
  if (!via) return undefined;
  const branch = via.params['branch'] ?? undefined;
  if (isRfc3261Branch(branch)) {
    return `3261|${branch}|${via.host.toLowerCase()}:${via.port ?? ''}`;
  }
  const fromTag = request.from.params['tag'] ?? '';
  return `2543|${uriKey(request.uri)}|${fromTag}|${request.callId}|${request.cseq.seq}|${viaKey(via)}`;
}

/** §17.2.3: "the method of the request matches the one that created the transaction, except
 * for ACK, where the method of the request that created the transaction is INVITE." */
export function serverMethodKey(method: string): string {
  return method === 'ACK' ? 'INVITE' : method;
}

function paramsKey(params: Params): string {
  return Object.keys(params)
    .sort()
    .map((name) => (params[name] === null ? name : `${name}=${params[name]}`))
    .join(';');
}

// A comparison key, not a serialisation: close enough to RFC 3261 §19.1.4 equality for
// matching retransmissions, which arrive with the same text.
function uriKey(uri: Uri): string {
  if ('host' in uri) {
    return `${uri.scheme}:${uri.user ?? ''}@${uri.host.toLowerCase()}:${uri.port ?? ''};${paramsKey(uri.params)}`;
  }
  if ('number' in uri) return `tel:${uri.number};${paramsKey(uri.params)}`;
  return `${uri.scheme}:${uri.value}`;
}

function viaKey(via: Via): string {
  return `${via.transport}|${via.host.toLowerCase()}:${via.port ?? ''};${paramsKey(via.params)}`;
}
