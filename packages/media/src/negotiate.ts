// Offer/answer for our audio (RFC 3264): we speak G.711 only, so from the offer we need its
// first usable audio stream, the first of PCMU/PCMA it lists there, where to send, and for a
// two-way session whether the caller can send RFC 4733 DTMF events and audio at all.
import { inspectSdp } from '@ipvoice/sdp';

export type Codec = 'PCMU' | 'PCMA';

/** RFC 3551 §6: the static payload types of G.711. */
const staticPayloadTypes: Record<number, Codec> = { 0: 'PCMU', 8: 'PCMA' };

/** An offered m= line, kept so the answer can list every one of them (RFC 3264 §6). */
export interface OfferedMediaLine {
  type: string;
  protocol: string;
  payloads: string;
}

export type Negotiation =
  | {
      ok: true;
      codec: Codec;
      /** 0 or 8, or the offer's dynamic number for PCMU/PCMA (RFC 3264 §6.1: answer with it). */
      payloadType: number;
      /** Where our RTP goes: the stream's c= address, else the session's. */
      address: string;
      port: number;
      /** Every m= line of the offer, in order, and which one carries the announcement. */
      mediaLines: OfferedMediaLine[];
      audioIndex: number;
      /** The offer's payload type for RFC 4733 telephone-event/8000 in that stream, if any. */
      telephoneEvent: number | undefined;
      /** False when the offer is recvonly: the caller sends us nothing (RFC 3264 §6.1). */
      callerSends: boolean;
    }
  | { ok: false; reason: string };

export function negotiate(offer: Buffer | string): Negotiation {
  const check = inspectSdp(offer);
  if (!check.ok) return check;
  const { description } = check;
  const media = description.media;
  const audioIndex = media.findIndex((m) => m.type === 'audio' && m.port !== 0);
  const audio = media[audioIndex];
  if (!audio) return { ok: false, reason: 'SDP offers no audio stream with a port' };
  // RFC 3551 profile only: SRTP (RTP/SAVP) and the like need keys we do not have.
  if (audio.protocol !== 'RTP/AVP')
    return { ok: false, reason: `audio protocol ${audio.protocol} is not RTP/AVP` };
  // RFC 3264 §6.1: to a sendonly or inactive stream the answerer must not send.
  const direction = check.media[audioIndex]?.direction;
  if (direction === 'sendonly' || direction === 'inactive')
    return { ok: false, reason: `audio stream is ${direction}: nothing can be played to it` };

  const payloadTypes = String(audio.payloads ?? '')
    .split(/\s+/)
    .filter((p) => p !== '')
    .map(Number);
  let chosen: { codec: Codec; payloadType: number } | undefined;
  for (const payloadType of payloadTypes) {
    const rtpmap = audio.rtp.find((r) => r.payload === payloadType);
    const codec = rtpmap
      ? g711Named(rtpmap.codec, rtpmap.rate, rtpmap.encoding)
      : staticPayloadTypes[payloadType];
    if (codec) {
      chosen = { codec, payloadType };
      break;
    }
  }
  if (!chosen)
    return { ok: false, reason: `audio offers neither PCMU nor PCMA (payloads ${audio.payloads})` };

  // RFC 4566 §5.7: a media-level c= overrides the session-level one.
  const connection = audio.connection ?? description.connection;
  if (!connection) return { ok: false, reason: 'audio stream has no connection address' };
  if (connection.version !== 4)
    return { ok: false, reason: `connection address ${connection.ip} is not IPv4` };
  // RFC 3264 §8.4: 0.0.0.0 puts the stream on hold; there is nowhere to send.
  if (connection.ip === '0.0.0.0')
    return { ok: false, reason: 'connection address 0.0.0.0: the stream is on hold' };

  // RFC 4733 §7.1.1: telephone-event is a dynamic payload type named by a=rtpmap, 8000 Hz here
  // as the audio is 8 kHz.
  const telephoneEvent = audio.rtp.find(
    (r) =>
      payloadTypes.includes(r.payload) &&
      r.codec.toLowerCase() === 'telephone-event' &&
      r.rate === 8000,
  )?.payload;

  return {
    ok: true,
    ...chosen,
    address: connection.ip,
    port: audio.port,
    mediaLines: media.map((m) => ({
      type: m.type,
      protocol: m.protocol,
      payloads: String(m.payloads ?? ''),
    })),
    audioIndex,
    telephoneEvent,
    callerSends: direction !== 'recvonly',
  };
}

function g711Named(name: string, rate?: number, channels?: number): Codec | undefined {
  if (rate !== 8000 || (channels !== undefined && channels !== 1)) return undefined;
  const upper = name.toUpperCase();
  return upper === 'PCMU' || upper === 'PCMA' ? upper : undefined;
}
