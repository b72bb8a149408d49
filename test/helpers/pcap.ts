// Reads the RTP that SIPp's play_pcap_audio sends from a capture file, independently of SIPp
// and of the server: the libpcap file format (global header, then record headers), Ethernet
// II (or Linux cooked / raw IP) frames carrying IPv4 and UDP, and the RTP header parsed by
// the RTP receiver's own parser. A test compares what the server stored with this.
import { readFile } from 'node:fs/promises';
import { decodeG711, parseRtp, type RtpPacket } from './rtp.ts';

/** The folder of the captures that come with SIPp (Debian's sip-tester package). */
export const sippPcapDir = '/usr/share/sip-tester';

/** libpcap link types this reader understands. */
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;

export interface PcapRecord {
  /** Capture time, epoch ms. */
  at: number;
  data: Buffer;
}

/** The records of a libpcap file (microsecond or nanosecond magic, either byte order). */
export function readPcapRecords(file: Buffer): { linkType: number; records: PcapRecord[] } {
  if (file.length < 24) throw new Error('not a pcap file: shorter than its global header');
  const magic = file.readUInt32LE(0);
  let little: boolean;
  let nanos: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) {
    little = true;
    nanos = magic === 0xa1b23c4d;
  } else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) {
    little = false;
    nanos = magic === 0x4d3cb2a1;
  } else {
    throw new Error(`not a pcap file: magic ${magic.toString(16)}`);
  }
  const u32 = (offset: number) => (little ? file.readUInt32LE(offset) : file.readUInt32BE(offset));
  const linkType = u32(20) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let offset = 24;
  while (offset + 16 <= file.length) {
    const seconds = u32(offset);
    const fraction = u32(offset + 4);
    const captured = u32(offset + 8);
    const start = offset + 16;
    if (start + captured > file.length) break;
    records.push({
      at: seconds * 1000 + (nanos ? fraction / 1e6 : fraction / 1e3),
      data: file.subarray(start, start + captured),
    });
    offset = start + captured;
  }
  return { linkType, records };
}

export interface UdpDatagram {
  at: number;
  source: string;
  sourcePort: number;
  destination: string;
  destinationPort: number;
  payload: Buffer;
}

/** The IPv4 packet inside a frame of `linkType`, or undefined when the frame carries none. */
function ipv4Of(linkType: number, frame: Buffer): Buffer | undefined {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (frame.length < 14) return undefined;
      let offset = 12;
      let etherType = frame.readUInt16BE(offset);
      // An 802.1Q tag pushes the type four bytes on.
      while (etherType === 0x8100 && frame.length >= offset + 6) {
        offset += 4;
        etherType = frame.readUInt16BE(offset);
      }
      return etherType === 0x0800 ? frame.subarray(offset + 2) : undefined;
    }
    case LINKTYPE_LINUX_SLL:
      return frame.length >= 16 && frame.readUInt16BE(14) === 0x0800
        ? frame.subarray(16)
        : undefined;
    case LINKTYPE_RAW:
      return frame.length > 0 && frame.readUInt8(0) >> 4 === 4 ? frame : undefined;
    default:
      throw new Error(`pcap link type ${linkType} is not supported`);
  }
}

const dotted = (b: Buffer, offset: number) =>
  [0, 1, 2, 3].map((i) => b.readUInt8(offset + i)).join('.');

/** The UDP datagrams of a capture (unfragmented IPv4 only; fragments are skipped). */
export function udpDatagrams(file: Buffer): UdpDatagram[] {
  const { linkType, records } = readPcapRecords(file);
  return records.flatMap((record): UdpDatagram[] => {
    const ip = ipv4Of(linkType, record.data);
    if (!ip || ip.length < 20) return [];
    const headerLength = (ip.readUInt8(0) & 0x0f) * 4;
    const protocol = ip.readUInt8(9);
    const fragment = ip.readUInt16BE(6);
    // More-fragments flag or a fragment offset: not a whole datagram.
    if (protocol !== 17 || (fragment & 0x3fff) !== 0) return [];
    const totalLength = Math.min(ip.readUInt16BE(2), ip.length);
    const udp = ip.subarray(headerLength, totalLength);
    if (udp.length < 8) return [];
    const udpLength = Math.min(udp.readUInt16BE(4), udp.length);
    return [
      {
        at: record.at,
        source: dotted(ip, 12),
        sourcePort: udp.readUInt16BE(0),
        destination: dotted(ip, 16),
        destinationPort: udp.readUInt16BE(2),
        payload: udp.subarray(8, udpLength),
      },
    ];
  });
}

/** The RTP packets of a capture, in capture order (`arrivedAt` is the capture time). */
export async function pcapRtp(path: string): Promise<RtpPacket[]> {
  const datagrams = udpDatagrams(await readFile(path));
  return datagrams.flatMap((d) => {
    const packet = parseRtp(d.payload, d.at);
    return packet ? [packet] : [];
  });
}

/** The audio of a capture's G.711 RTP (one payload type, in sequence order) as samples. */
export async function pcapAudio(path: string): Promise<{
  payloadType: number;
  samples: Int16Array;
  /** From the first packet's capture to the last one's, plus one packet time. */
  durationMs: number;
}> {
  const packets = (await pcapRtp(path)).filter((p) => p.payloadType === 0 || p.payloadType === 8);
  const first = packets[0];
  if (!first) throw new Error(`${path} holds no G.711 RTP`);
  const ordered = [...packets].sort(
    (a, b) => ((a.sequence - first.sequence) & 0xffff) - ((b.sequence - first.sequence) & 0xffff),
  );
  const samples = decodeG711(
    first.payloadType,
    ordered.map((p) => p.payload),
  );
  const last = packets.at(-1) as RtpPacket;
  return {
    payloadType: first.payloadType,
    samples,
    durationMs: last.arrivedAt - first.arrivedAt + last.payload.length / 8,
  };
}

/** RFC 4733 §2.3: a telephone-event payload. */
export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function parseTelephoneEvent(payload: Buffer): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  const flags = payload.readUInt8(1);
  return {
    event: payload.readUInt8(0),
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: payload.readUInt16BE(2),
  };
}
