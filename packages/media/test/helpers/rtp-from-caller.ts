// What a caller's phone sends: G.711 audio and RFC 4733 DTMF events as RTP packets.
import { encodeMulaw, writeRtpHeader } from '../../src/index.ts';

const SSRC = 0x1234abcd;

export function rtp(
  header: { payloadType: number; sequenceNumber: number; timestamp: number; marker?: boolean },
  payload: Buffer,
): Buffer {
  const packet = Buffer.alloc(12 + payload.length);
  writeRtpHeader(packet, { marker: false, ssrc: SSRC, ...header });
  payload.copy(packet, 12);
  return packet;
}

/** A sine of `amplitude` at `hz`, 8 kHz. */
export function tone(ms: number, amplitude = 8000, hz = 440): Int16Array {
  return Int16Array.from({ length: ms * 8 }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000)),
  );
}

/** `samples` as 20 ms PCMU packets (payload type 0) from timestamp `firstTimestamp`. */
export function pcmuPackets(samples: Int16Array, firstTimestamp: number, firstSeq = 0): Buffer[] {
  const encoded = encodeMulaw(samples);
  const packets: Buffer[] = [];
  for (let n = 0; n * 160 < encoded.length; n++) {
    packets.push(
      rtp(
        {
          payloadType: 0,
          sequenceNumber: (firstSeq + n) & 0xffff,
          timestamp: (firstTimestamp + n * 160) >>> 0,
        },
        encoded.subarray(n * 160, (n + 1) * 160),
      ),
    );
  }
  return packets;
}

const EVENTS = '0123456789*#ABCD';

/**
 * One key press as RFC 4733 packets on payload type 101: a start packet, `updates` updates,
 * then `ends` end packets (the E bit; three in RFC 4733 §2.5.1.4), all with one timestamp.
 */
export function dtmfPackets(
  digit: string,
  timestamp: number,
  firstSeq: number,
  { updates = 2, ends = 3 }: { updates?: number; ends?: number } = {},
): Buffer[] {
  const event = EVENTS.indexOf(digit);
  if (event < 0) throw new Error(`not a DTMF digit: ${digit}`);
  const packets: Buffer[] = [];
  let duration = 0;
  const add = (end: boolean) => {
    const payload = Buffer.alloc(4);
    payload[0] = event;
    payload[1] = (end ? 0x80 : 0) | 10; // volume -10 dBm0
    payload.writeUInt16BE(duration, 2);
    packets.push(
      rtp(
        {
          payloadType: 101,
          sequenceNumber: (firstSeq + packets.length) & 0xffff,
          timestamp: timestamp >>> 0,
          marker: packets.length === 0,
        },
        payload,
      ),
    );
  };
  add(false);
  for (let i = 0; i < updates; i++) {
    duration += 400;
    add(false);
  }
  duration += 400;
  for (let i = 0; i < ends; i++) add(true);
  return packets;
}
