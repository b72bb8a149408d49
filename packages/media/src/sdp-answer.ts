// Our answer to an offer (RFC 3264 §6): the announcement stream send-only with the one codec
// chosen, and every other offered stream rejected with port 0.
import type { Codec, OfferedMediaLine } from './negotiate.ts';

export interface AnswerParams {
  sessionId: number;
  address: string;
  port: number;
  codec: Codec;
  payloadType: number;
  mediaLines: OfferedMediaLine[];
  audioIndex: number;
}

export function buildAnswer(p: AnswerParams): Buffer {
  const lines = [
    'v=0',
    `o=- ${p.sessionId} ${p.sessionId} IN IP4 ${p.address}`,
    's=-',
    `c=IN IP4 ${p.address}`,
    't=0 0',
  ];
  for (const [i, m] of p.mediaLines.entries()) {
    if (i !== p.audioIndex) {
      // RFC 3264 §6: "exactly the same number of m= lines as the offer"; a refused one has
      // port 0 and keeps at least one of the offered formats.
      lines.push(`m=${m.type} 0 ${m.protocol} ${m.payloads || '0'}`);
      continue;
    }
    lines.push(
      `m=audio ${p.port} RTP/AVP ${p.payloadType}`,
      `a=rtpmap:${p.payloadType} ${p.codec}/8000`,
      'a=ptime:20',
      // RFC 3264 §6.1: we only play; whatever the caller sends is not listened to.
      'a=sendonly',
    );
  }
  return Buffer.from(lines.join('\r\n') + '\r\n');
}
