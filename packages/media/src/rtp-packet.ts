// The RTP fixed header (RFC 3550 §5.1): no CSRCs, no extension, no padding.

export const RTP_HEADER_SIZE = 12;

export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

/** Writes the 12-byte header at the start of `packet`; the payload follows it. */
export function writeRtpHeader(packet: Buffer, header: RtpHeader): void {
  // V=2 (two high bits), P=0, X=0, CC=0.
  packet[0] = 0x80;
  packet[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  packet.writeUInt16BE(header.sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(header.timestamp >>> 0, 4);
  packet.writeUInt32BE(header.ssrc >>> 0, 8);
}

export type ParsedRtp = RtpHeader & { version: number; payload: Buffer };

/** Reads a packet back (tests and tools); undefined when it cannot be RTP. */
export function parseRtp(packet: Buffer): ParsedRtp | undefined {
  if (packet.length < RTP_HEADER_SIZE) return undefined;
  const first = packet[0] as number;
  const second = packet[1] as number;
  const csrcCount = first & 0x0f;
  let offset = RTP_HEADER_SIZE + csrcCount * 4;
  // RFC 3550 §5.3.1: a header extension is a 4-byte header plus its length in 32-bit words.
  if (first & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  // RFC 3550 §5.1: with P set, the last byte counts the padding bytes.
  if (first & 0x20) end -= packet[packet.length - 1] as number;
  if (end < offset) return undefined;
  return {
    version: first >> 6,
    marker: (second & 0x80) !== 0,
    payloadType: second & 0x7f,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, end),
  };
}
