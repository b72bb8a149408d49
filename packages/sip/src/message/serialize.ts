// Serialiser (RFC 3261 §7): typed fields first, then raw headers in order, Content-Length last.
import type { NameAddr, SipMessage } from './types.ts';
import { formatNameAddr } from './name-addr.ts';
import { formatUri } from './uri.ts';
import { formatVia } from './via.ts';

function addList(out: string[], name: string, list: NameAddr[]): void {
  for (const na of list) out.push(`${name}: ${formatNameAddr(na)}`);
}

export function serializeMessage(msg: SipMessage): Buffer {
  const lines: string[] = [];
  lines.push(msg.kind === 'request' ? `${msg.method} ${formatUri(msg.uri)} ${msg.version}` : `${msg.version} ${msg.status} ${msg.reason}`);
  for (const v of msg.via) lines.push(`Via: ${formatVia(v)}`);
  lines.push(`From: ${formatNameAddr(msg.from)}`);
  lines.push(`To: ${formatNameAddr(msg.to)}`);
  lines.push(`Call-ID: ${msg.callId}`);
  lines.push(`CSeq: ${msg.cseq.rawSeq ?? msg.cseq.seq} ${msg.cseq.method}`);
  if (msg.maxForwards !== undefined) lines.push(`Max-Forwards: ${msg.maxForwards}`);
  addList(lines, 'Route', msg.route);
  addList(lines, 'Record-Route', msg.recordRoute);
  if (msg.contactWildcard) lines.push('Contact: *');
  else addList(lines, 'Contact', msg.contact);
  for (const h of msg.headers) {
    // Content-Length is ours to compute (RFC 3261 §20.14)
    const lower = h.name.toLowerCase();
    if (lower === 'content-length' || lower === 'l') continue;
    lines.push(`${h.name}: ${h.value}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8');
  return msg.body.length > 0 ? Buffer.concat([head, msg.body]) : head;
}
