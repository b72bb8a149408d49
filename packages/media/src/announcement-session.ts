// One announcement stream: plays prompts as 20 ms G.711 RTP packets (RFC 3550, RFC 3551
// profile) to the address the offer gave, in real time, on a socket of its own.
import type { Socket } from 'node:dgram';
import type { MediaClock, RandomInt, TimerHandle } from './clock.ts';
import { ALAW_SILENCE, MULAW_SILENCE } from './g711.ts';
import type { Logger } from './logger.ts';
import type { Codec } from './negotiate.ts';
import type { Prompt } from './prompts.ts';
import { RTP_HEADER_SIZE, writeRtpHeader } from './rtp-packet.ts';

/** 20 ms of 8 kHz audio (RFC 3551 §4.5: G.711's default packetisation). */
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;
const SAMPLES_PER_MS = 8;

export type PlayResult = 'done' | 'stopped';

export interface AnnouncementSessionParams {
  socket: Socket;
  localPort: number;
  answer: Buffer;
  codec: Codec;
  payloadType: number;
  remote: { address: string; port: number };
  clock: MediaClock;
  random: RandomInt;
  logger: Logger;
}

interface Playback {
  payload: Buffer;
  frames: number;
  /** Clock time of frame 0; frame n is due at start + n·20 ms. */
  start: number;
  /** RTP timestamp of frame 0. */
  firstTimestamp: number;
  sent: number;
  timer: TimerHandle | undefined;
  resolve: (result: PlayResult) => void;
}

export class AnnouncementSession {
  readonly answer: Buffer;
  readonly codec: Codec;
  readonly payloadType: number;
  readonly localPort: number;
  readonly remote: { readonly address: string; readonly port: number };

  readonly #socket: Socket;
  readonly #clock: MediaClock;
  readonly #logger: Logger;
  readonly #silence: number;
  // RFC 3550 §5.1: SSRC, first sequence number and first timestamp are random.
  readonly #ssrc: number;
  #sequenceNumber: number;
  /** RTP timestamp just after the last packet sent, and the clock time it stands for. */
  #timestamp: number;
  #timestampAt: number | undefined;
  #playback: Playback | undefined;
  #closed = false;
  #sendFailed = false;
  #packetsSent = 0;

  constructor(p: AnnouncementSessionParams) {
    this.answer = p.answer;
    this.codec = p.codec;
    this.payloadType = p.payloadType;
    this.localPort = p.localPort;
    this.remote = { ...p.remote };
    this.#socket = p.socket;
    this.#clock = p.clock;
    this.#logger = p.logger;
    this.#silence = p.codec === 'PCMU' ? MULAW_SILENCE : ALAW_SILENCE;
    this.#ssrc = p.random(2 ** 32);
    this.#sequenceNumber = p.random(2 ** 16);
    this.#timestamp = p.random(2 ** 32);
    this.#socket.on('error', (err) =>
      this.#logger.warn({ err, localPort: this.localPort }, 'announcement RTP socket error'),
    );
  }

  /** RTP packets handed to the socket so far, over every play. */
  get packetsSent(): number {
    return this.#packetsSent;
  }

  get playing(): boolean {
    return this.#playback !== undefined;
  }

  /**
   * Sends the prompt from now on, one packet every 20 ms, and resolves 'done' when its last
   * packet's 20 ms are over, or 'stopped' when stop(), close() or another play() ends it first.
   */
  play(prompt: Prompt): Promise<PlayResult> {
    if (this.#closed) return Promise.resolve('stopped');
    this.stop();
    const payload = this.codec === 'PCMU' ? prompt.pcmu : prompt.pcma;
    const frames = Math.ceil(payload.length / FRAME_SAMPLES);
    if (frames === 0) return Promise.resolve('done');
    const start = this.#clock.now();
    // RFC 3550 §5.1: the timestamp follows the sampling clock, so it moves on through the
    // silence between two prompts as well.
    if (this.#timestampAt !== undefined)
      this.#timestamp += Math.max(0, Math.round((start - this.#timestampAt) * SAMPLES_PER_MS));
    return new Promise<PlayResult>((resolve) => {
      this.#playback = {
        payload,
        frames,
        start,
        firstTimestamp: this.#timestamp,
        sent: 0,
        timer: undefined,
        resolve,
      };
      this.#tick();
    });
  }

  /** Ends the prompt being played, if any (its play() resolves 'stopped'). */
  stop(): void {
    if (this.#playback) this.#finish(this.#playback, 'stopped');
  }

  /** Stops and closes the socket. Safe to call more than once. */
  close(): void {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    this.#socket.close();
  }

  // Deadlines are absolute (start + n·20 ms), so a late timer never adds up to drift; packets
  // that fell due while the event loop was busy go out at once rather than being skipped.
  #tick(): void {
    const playback = this.#playback;
    if (!playback) return;
    playback.timer = undefined;
    const elapsed = this.#clock.now() - playback.start;
    while (playback.sent < playback.frames && playback.sent * FRAME_MS <= elapsed) {
      this.#send(playback);
    }
    const end = playback.frames * FRAME_MS;
    if (playback.sent === playback.frames && elapsed >= end) {
      this.#finish(playback, 'done');
      return;
    }
    const due = playback.sent < playback.frames ? playback.sent * FRAME_MS : end;
    playback.timer = this.#clock.setTimeout(() => this.#tick(), due - elapsed);
  }

  #send(playback: Playback): void {
    const n = playback.sent;
    const packet = Buffer.allocUnsafe(RTP_HEADER_SIZE + FRAME_SAMPLES);
    writeRtpHeader(packet, {
      // RFC 3551 §4.1: the marker is set on the first packet of a talkspurt.
      marker: n === 0,
      payloadType: this.payloadType,
      sequenceNumber: this.#sequenceNumber,
      timestamp: playback.firstTimestamp + n * FRAME_SAMPLES,
      ssrc: this.#ssrc,
    });
    const copied = playback.payload.copy(
      packet,
      RTP_HEADER_SIZE,
      n * FRAME_SAMPLES,
      (n + 1) * FRAME_SAMPLES,
    );
    if (copied < FRAME_SAMPLES) packet.fill(this.#silence, RTP_HEADER_SIZE + copied);
    this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
    playback.sent++;
    this.#packetsSent++;
    this.#socket.send(packet, this.remote.port, this.remote.address, (err) => {
      // One warning per session: a dead destination would otherwise log fifty times a second.
      if (err && !this.#sendFailed) {
        this.#sendFailed = true;
        this.#logger.warn({ err, remote: this.remote }, 'announcement RTP send failed');
      }
    });
  }

  #finish(playback: Playback, result: PlayResult): void {
    if (playback.timer !== undefined) this.#clock.clearTimeout(playback.timer);
    playback.timer = undefined;
    this.#playback = undefined;
    this.#timestamp = (playback.firstTimestamp + playback.sent * FRAME_SAMPLES) >>> 0;
    this.#timestampAt = playback.start + playback.sent * FRAME_MS;
    playback.resolve(result);
  }
}
