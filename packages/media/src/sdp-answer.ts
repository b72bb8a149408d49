// Our answer to an offer (RFC 3264): the audio stream with the one codec chosen (and, two-way,
// RFC 4733 telephone-event when offered), every other offered stream rejected with port 0.
import type { Codec, OfferedMediaLine } from './negotiate.ts';

export type MediaDirection = 'sendonly' | 'sendrecv';

export interface AnswerParams {
  sessionId: number;
  address: string;
  port: number;
  codec: Codec;
  payloadType: number;
  mediaLines: OfferedMediaLine[];
  audioIndex: number;
  direction: MediaDirection;
  /** The offered telephone-event payload type to accept; only with sendrecv. */
  telephoneEvent: number | undefined;
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
    // RFC 3264 §6.1: answer with the offer's payload type numbers.
    const events = p.direction === 'sendrecv' ? p.telephoneEvent : undefined;
    lines.push(
      `m=audio ${p.port} RTP/AVP ${p.payloadType}${events === undefined ? '' : ` ${events}`}`,
      `a=rtpmap:${p.payloadType} ${p.codec}/8000`,
    );
    // RFC 4733 §2.4.1: events 0-15 are the DTMF digits, *, # and A-D; the only ones we read.
    if (events !== undefined)
      lines.push(`a=rtpmap:${events} telephone-event/8000`, `a=fmtp:${events} 0-15`);
    // RFC 3264 §6.1: a send-only stream ignores whatever the caller sends.
    lines.push('a=ptime:20', `a=${p.direction}`);
  }
  return Buffer.from(lines.join('\r\n') + '\r\n');
}
