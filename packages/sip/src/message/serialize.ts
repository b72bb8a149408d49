// Serialiser (RFC 3261 §7): typed fields first, then raw headers in order, Content-Length last.
import type { NameAddr, SipMessage } from './types.ts';
import { formatNameAddr } from './name-addr.ts';
import { formatUri } from './uri.ts';
import { formatVia } from './via.ts';

function addList(out: string, name: string, list: NameAddr[]): string {
  for (const na of list) out += name + formatNameAddr(na) + '\r\n';
  return out;
}

function isContentLength(lower: string): boolean {
  return lower === 'content-length' || lower === 'l';
}

// The head is appended to one string (no array of lines, no join) and encoded once; a body
// is copied in after it in the same buffer.
export function serializeMessage(msg: SipMessage): Buffer {
  let head =
    msg.kind === 'request'
      ? msg.method + ' ' + formatUri(msg.uri) + ' ' + msg.version + '\r\n'
      : msg.version + ' ' + msg.status + ' ' + msg.reason + '\r\n';
  for (const v of msg.via) head += 'Via: ' + formatVia(v) + '\r\n';
  head += 'From: ' + formatNameAddr(msg.from) + '\r\nTo: ' + formatNameAddr(msg.to) + '\r\n';
  head +=
    'Call-ID: ' +
    msg.callId +
    '\r\nCSeq: ' +
    (msg.cseq.rawSeq ?? msg.cseq.seq) +
    ' ' +
    msg.cseq.method +
    '\r\n';
  if (msg.maxForwards !== undefined) head += 'Max-Forwards: ' + msg.maxForwards + '\r\n';
  head = addList(head, 'Route: ', msg.route);
  head = addList(head, 'Record-Route: ', msg.recordRoute);
  if (msg.contactWildcard) head += 'Contact: *\r\n';
  else head = addList(head, 'Contact: ', msg.contact);
  for (const h of msg.headers) {
    // Content-Length is ours to compute (RFC 3261 §20.14); the length test spares a
    // lower-cased copy of every other name.
    const n = h.name.length;
    if ((n === 14 || n === 1) && isContentLength(h.name.toLowerCase())) continue;
    head += h.name + ': ' + h.value + '\r\n';
  }
  head += 'Content-Length: ' + msg.body.length + '\r\n\r\n';
  if (msg.body.length === 0) return Buffer.from(head, 'utf8');
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + msg.body.length);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headLength);
  return out;
}
