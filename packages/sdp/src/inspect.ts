// Reads an SDP body (RFC 4566) with sdp-transform and says whether a call can use it: the
// B2BUA passes SDP through untouched, but refuses what no device could answer (488,
// RFC 3261 §21.4.26) instead of ringing phones with garbage.
import { parse, type SessionDescription } from 'sdp-transform';

export interface MediaSummary {
  type: string;
  port: number;
  protocol: string;
  payloads: string;
  /** sendrecv unless the media or session says otherwise (RFC 3264 §5.1; T.38 and hold). */
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

export type SdpCheck =
  | { ok: true; description: SessionDescription; media: MediaSummary[] }
  | { ok: false; reason: string };

export function inspectSdp(body: Buffer | string): SdpCheck {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  // RFC 4566 §5: "v=" first, then "o=" and "s=", each mandatory.
  if (!/^v=0\r?\n/.test(text)) return { ok: false, reason: 'SDP must start with v=0' };
  if (!/\no=/.test(text)) return { ok: false, reason: 'SDP has no o= line' };
  let description: SessionDescription;
  try {
    description = parse(text);
  } catch {
    return { ok: false, reason: 'SDP could not be parsed' };
  }
  if (!description.media || description.media.length === 0)
    return { ok: false, reason: 'SDP has no m= line' };
  const media: MediaSummary[] = [];
  for (const [i, m] of description.media.entries()) {
    if (!m.type || !Number.isInteger(m.port) || !m.protocol)
      return { ok: false, reason: `m= line ${i + 1} is malformed` };
    // RFC 4566 §5.7: "c=" in every media description or at session level.
    if (!m.connection && !description.connection && m.port !== 0)
      return { ok: false, reason: `m= line ${i + 1} has no connection address` };
    media.push({
      type: m.type,
      port: m.port,
      protocol: m.protocol,
      payloads: String(m.payloads ?? ''),
      direction: m.direction ?? description.direction ?? 'sendrecv',
    });
  }
  return { ok: true, description, media };
}
