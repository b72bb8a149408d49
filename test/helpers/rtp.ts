// An RTP receiver for announcement checks (SPEC §5): a UDP socket on loopback that a caller's
// SDP offer points at, keeping every packet with its arrival time and its parsed RFC 3550
// header (parsed here, independently of the server's own code), and the G.711 audio they carry
// decoded to 16-bit samples with @ipvoice/media.
import type { ExecutionContext } from 'ava';
import { decodeAlaw, decodeMulaw, readWav, voicedMs } from '@ipvoice/media';
import { createSocket, type Socket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TracedMessage } from './calls.ts';
import { repoRoot } from './feature-server.ts';
import { reservePorts } from './sipp.ts';

export interface RtpPacket {
  /** Date.now() when the packet arrived (the clock SIPp's trace time stamps are read against). */
  arrivedAt: number;
  version: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** RFC 3550 §5.1: the fixed header, CSRCs, an optional extension and padding; undefined for a
 * datagram that is not RTP version 2. */
export function parseRtp(datagram: Buffer, arrivedAt: number): RtpPacket | undefined {
  if (datagram.length < 12) return undefined;
  const first = datagram.readUInt8(0);
  const version = first >> 6;
  if (version !== 2) return undefined;
  const padding = (first & 0x20) !== 0;
  const extension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  const second = datagram.readUInt8(1);
  let offset = 12 + 4 * csrcCount;
  if (extension) {
    if (datagram.length < offset + 4) return undefined;
    offset += 4 + 4 * datagram.readUInt16BE(offset + 2);
  }
  let end = datagram.length;
  if (padding) end -= datagram.readUInt8(datagram.length - 1);
  if (end < offset) return undefined;
  return {
    arrivedAt,
    version,
    marker: (second & 0x80) !== 0,
    payloadType: second & 0x7f,
    sequence: datagram.readUInt16BE(2),
    timestamp: datagram.readUInt32BE(4),
    ssrc: datagram.readUInt32BE(8),
    payload: datagram.subarray(offset, end),
  };
}

/** The samples of G.711 payloads of static payload type 0 (PCMU) or 8 (PCMA). */
export function decodeG711(payloadType: number, payloads: readonly Buffer[]): Int16Array {
  const decode = payloadType === 0 ? decodeMulaw : payloadType === 8 ? decodeAlaw : undefined;
  if (decode === undefined) throw new Error(`payload type ${payloadType} is not G.711`);
  return decode(Buffer.concat(payloads));
}

export class RtpReceiver {
  readonly port: number;
  readonly #socket: Socket;
  readonly #packets: RtpPacket[] = [];
  /** Datagrams that were not RTP, kept so a test can say so. */
  strays = 0;

  private constructor(socket: Socket, port: number) {
    this.#socket = socket;
    this.port = port;
    socket.on('message', (datagram) => {
      const packet = parseRtp(datagram, Date.now());
      if (packet) this.#packets.push(packet);
      else this.strays++;
    });
  }

  /** Binds a free UDP port on 127.0.0.1, one that no SIPp of this process is handed. */
  static async start(): Promise<RtpReceiver> {
    const socket = createSocket('udp4');
    const port = await reservePorts(1);
    await new Promise<void>((done, fail) => {
      socket.once('error', fail);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', fail);
        done();
      });
    });
    return new RtpReceiver(socket, socket.address().port);
  }

  /** Every packet so far, in arrival order. */
  get packets(): readonly RtpPacket[] {
    return this.#packets;
  }

  /**
   * Waits until no packet has arrived for `quietMs` (the stream has ended), or `timeoutMs`
   * passes; resolves with the packets.
   */
  async settled(quietMs = 300, timeoutMs = 15_000): Promise<readonly RtpPacket[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = this.#packets.at(-1)?.arrivedAt ?? 0;
      if ((last > 0 && Date.now() - last >= quietMs) || Date.now() > deadline) return this.packets;
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  /** The packets' audio decoded in sequence-number order (RFC 3550 §5.1: seq wraps at 2^16). */
  samples(): Int16Array {
    const first = this.#packets[0];
    if (!first) return new Int16Array(0);
    const ordered = [...this.#packets].sort(
      (a, b) => ((a.sequence - first.sequence) & 0xffff) - ((b.sequence - first.sequence) & 0xffff),
    );
    return decodeG711(
      first.payloadType,
      ordered.map((p) => p.payload),
    );
  }

  close(): Promise<void> {
    return new Promise((done) => this.#socket.close(() => done()));
  }
}

export type PromptName =
  'anonymous-rejected' | 'nuisance-blocked' | 'international-barred' | 'outgoing-restricted';

/**
 * When the last packet was sent at the latest, on the sender's 20 ms pacing: the earliest
 * `arrivedAt - 20 ms × (seq offset)` over the stream is its start, and the last packet is due
 * (count - 1) × 20 ms after that. A packet's own arrival time can be late by however long this
 * process's event loop was busy (tests run many servers at once), never early, so the
 * earliest reading is the truest; a server that keeps sending after the final response still
 * shows, its extra packets pushing the estimate past it.
 */
export function lastPacketSentBy(packets: readonly RtpPacket[]): number {
  const first = packets[0];
  if (!first) return -Infinity;
  const offset = (p: RtpPacket) => (p.sequence - first.sequence) & 0xffff;
  const start = Math.min(...packets.map((p) => p.arrivedAt - 20 * offset(p)));
  return start + 20 * Math.max(...packets.map(offset));
}

/** The voiced length of a shipped prompt (packages/media/prompts/<language>/<name>.wav). */
export async function promptVoicedMs(language: 'ja' | 'en', name: PromptName): Promise<number> {
  const wav = readWav(
    await readFile(join(repoRoot, 'packages/media/prompts', language, `${name}.wav`)),
  );
  return voicedMs(wav.samples, wav.sampleRate);
}

/** The voiced length of what the receiver got. */
export async function receivedVoicedMs(receiver: RtpReceiver): Promise<number> {
  return voicedMs(receiver.samples(), 8000);
}

/** SDP answer fields an announcement must have (SPEC §5). */
export interface AnnouncementAnswer {
  connection: string | undefined;
  port: number;
  payloadTypes: number[];
  direction: string | undefined;
}

export function announcementAnswer(sdp: string): AnnouncementAnswer | undefined {
  const media = /^m=audio (\d+) RTP\/AVP ([\d ]+)$/m.exec(sdp);
  if (!media) return undefined;
  return {
    connection: /^c=IN IP4 (\S+)$/m.exec(sdp)?.[1],
    port: Number(media[1]),
    payloadTypes: (media[2] ?? '').trim().split(/\s+/).map(Number),
    direction: /^a=(sendonly|recvonly|sendrecv|inactive)$/m.exec(sdp)?.[1],
  };
}

/**
 * SPEC §5 from the caller's side: a 183 with an SDP answer (127.0.0.1, a=sendonly, the offered
 * payload type), then RTP to the offer's port — 20 ms packets of 160 bytes, seq +1, timestamp
 * +160, one SSRC — whose voiced length is at least 90 % of the prompt's own, every packet
 * before the final response, which is `finalStatus`.
 */
export async function checkAnnouncement(
  t: ExecutionContext,
  options: {
    messages: readonly TracedMessage[];
    receiver: RtpReceiver;
    payloadType: 0 | 8;
    language: 'ja' | 'en';
    prompt: PromptName;
    finalStatus: number;
  },
): Promise<void> {
  const { messages, receiver, payloadType } = options;
  const responses = messages.filter((m) => m.direction === 'received' && m.status !== undefined);
  const progress = responses.find((m) => m.status === 183);
  // A subscriber's first final response is the digest challenge (RFC 3261 §22.2).
  const final = responses.find((m) => (m.status ?? 0) >= 200 && m.status !== 401);
  t.truthy(progress, 'no 183 Session Progress');
  t.is(final?.status, options.finalStatus);
  if (!progress || !final) return;
  t.true(progress.at <= final.at, 'the 183 came after the final response');
  t.regex(progress.header('Content-Type') ?? '', /^application\/sdp/i);
  const answer = announcementAnswer(progress.body);
  t.truthy(answer, `no m=audio line in the 183's SDP:\n${progress.body}`);
  if (!answer) return;
  t.is(answer.connection, '127.0.0.1');
  t.deepEqual(answer.payloadTypes, [payloadType]);
  t.is(answer.direction, 'sendonly');

  // Anything still on its way after the final response would show up here.
  const packets = await receiver.settled(300);
  t.true(packets.length > 0, 'no RTP arrived');
  if (packets.length === 0) return;
  t.is(receiver.strays, 0, 'datagrams that are not RTP arrived');
  t.deepEqual(
    [...new Set(packets.map((p) => p.payloadType))],
    [payloadType],
    'payload type other than the answer',
  );
  t.is(new Set(packets.map((p) => p.ssrc)).size, 1, 'more than one SSRC');
  t.true(
    packets.every((p) => p.payload.length === 160),
    `payload sizes ${[...new Set(packets.map((p) => p.payload.length))].join(', ')}`,
  );
  const gaps = packets.slice(1).flatMap((p, i) => {
    const before = packets[i] as RtpPacket;
    const seq = (p.sequence - before.sequence) & 0xffff;
    const ts = (p.timestamp - before.timestamp) >>> 0;
    return seq === 1 && ts === 160 ? [] : [`#${i + 1}: seq +${seq}, ts +${ts}`];
  });
  t.deepEqual(gaps.slice(0, 5), [], `${gaps.length} packets out of step`);
  // Every packet before the final response (~50 ms slack for reading the clocks).
  const end = lastPacketSentBy(packets);
  t.true(
    end <= final.at + 50,
    `the last of ${packets.length} packets was due ${end - final.at} ms after the final response`,
  );

  const expected = await promptVoicedMs(options.language, options.prompt);
  const got = await receivedVoicedMs(receiver);
  t.true(expected > 0, `the prompt ${options.language}/${options.prompt} has no voiced audio`);
  // Played once, whole: at least 90 % of it, and not more than 110 % (which also tells the
  // languages apart where their prompts differ in length).
  t.true(
    got >= expected * 0.9 && got <= expected * 1.1,
    `voiced ${got} ms of ${expected} ms (${options.language}/${options.prompt})`,
  );
}
