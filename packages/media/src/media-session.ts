// One audio stream with a caller, on a socket of its own: plays prompts as 20 ms G.711 RTP
// packets (RFC 3550, RFC 3551 profile) to the address the offer gave, in real time; two-way,
// it also takes the caller's RTP, for DTMF (RFC 4733) and for recordings.
import type { RemoteInfo, Socket } from 'node:dgram';
import type { MediaClock, RandomInt, TimerHandle } from './clock.ts';
import { DtmfReceiver, dtmfDigits } from './dtmf-receiver.ts';
import { ALAW_SILENCE, decodeAlaw, decodeMulaw, MULAW_SILENCE } from './g711.ts';
import type { Logger } from './logger.ts';
import type { Codec } from './negotiate.ts';
import type { Prompt } from './prompts.ts';
import { Recorder, type Recording, type RecordOptions } from './recorder.ts';
import { parseRtp, RTP_HEADER_SIZE, writeRtpHeader } from './rtp-packet.ts';
import type { MediaDirection } from './sdp-answer.ts';

/** 20 ms of 8 kHz audio (RFC 3551 §4.5: G.711's default packetisation). */
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;
const SAMPLES_PER_MS = 8;

export type PlayResult = 'done' | 'stopped';

export type DtmfListener = (digit: string) => void;

export interface MediaSessionParams {
  socket: Socket;
  localPort: number;
  answer: Buffer;
  codec: Codec;
  payloadType: number;
  direction: MediaDirection;
  /** The telephone-event payload type answered; undefined when none was. */
  telephoneEvent: number | undefined;
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

export class MediaSession {
  readonly answer: Buffer;
  readonly codec: Codec;
  readonly payloadType: number;
  readonly direction: MediaDirection;
  readonly telephoneEvent: number | undefined;
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
  readonly #dtmfListeners = new Set<DtmfListener>();
  readonly #dtmf: DtmfReceiver | undefined;
  #recorder: Recorder | undefined;

  constructor(p: MediaSessionParams) {
    this.answer = p.answer;
    this.codec = p.codec;
    this.payloadType = p.payloadType;
    this.direction = p.direction;
    this.telephoneEvent = p.telephoneEvent;
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
      this.#logger.warn({ err, localPort: this.localPort }, 'media RTP socket error'),
    );
    if (p.telephoneEvent !== undefined)
      this.#dtmf = new DtmfReceiver({ clock: p.clock, report: (digit) => this.#digit(digit) });
    // RFC 3264 §6.1: a send-only stream expects nothing; what arrives there is not read.
    if (p.direction === 'sendrecv')
      this.#socket.on('message', (packet, from) => this.#receive(packet, from));
  }

  /** RTP packets handed to the socket so far, over every play. */
  get packetsSent(): number {
    return this.#packetsSent;
  }

  get playing(): boolean {
    return this.#playback !== undefined;
  }

  get recording(): boolean {
    return this.#recorder !== undefined;
  }

  /**
   * Sends the prompt, or the prompts back to back as one stream, from now on, one packet every
   * 20 ms, and resolves 'done' when the last packet's 20 ms are over, or 'stopped' when stop(),
   * close() or another play() ends it first. A recording under way goes on.
   */
  play(prompts: Prompt | readonly Prompt[]): Promise<PlayResult> {
    if (this.#closed) return Promise.resolve('stopped');
    this.#stopPlayback();
    const list: readonly Prompt[] = Array.isArray(prompts) ? prompts : [prompts as Prompt];
    const payloads = list.map((p) => (this.codec === 'PCMU' ? p.pcmu : p.pcma));
    const payload = payloads.length === 1 ? (payloads[0] as Buffer) : Buffer.concat(payloads);
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

  /**
   * Records what the caller sends until maxMs of audio, silenceMs of silence, one of endDigits,
   * or stop()/close()/stopRecording() ('stopped', keeping what came). A recording under way is
   * stopped first. Rejects (RecordError) only for bad options.
   */
  record(options: RecordOptions): Promise<Recording> {
    this.stopRecording();
    if (this.#closed)
      return Promise.resolve({ samples: new Int16Array(0), durationMs: 0, endedBy: 'stopped' });
    return new Promise<Recording>((resolve) => {
      const recorder: Recorder = new Recorder({
        options,
        decode: this.codec === 'PCMU' ? decodeMulaw : decodeAlaw,
        clock: this.#clock,
        done: (recording) => {
          if (this.#recorder === recorder) this.#recorder = undefined;
          resolve(recording);
        },
      });
      this.#recorder = recorder;
    });
  }

  /** Ends the recording under way, if any; its record() resolves 'stopped' with the audio. */
  stopRecording(): void {
    this.#recorder?.stop();
  }

  /** Calls `listener` with each DTMF digit ('0'-'9', '*', '#', 'A'-'D'); returns the undo. */
  onDtmf(listener: DtmfListener): () => void {
    const wrapped: DtmfListener = (digit) => listener(digit);
    this.#dtmfListeners.add(wrapped);
    return () => {
      this.#dtmfListeners.delete(wrapped);
    };
  }

  /** A digit that came another way (SIP INFO): to the same listeners as RFC 4733 digits. */
  injectDtmf(digit: string): void {
    const upper = digit.toUpperCase();
    if (upper.length !== 1 || !dtmfDigits.includes(upper)) {
      this.#logger.debug({ digit }, 'not a DTMF digit: ignored');
      return;
    }
    this.#digit(upper);
  }

  /** Ends the prompt being played and the recording under way, if any. */
  stop(): void {
    this.#stopPlayback();
    this.stopRecording();
  }

  /** Stops and closes the socket. Safe to call more than once. */
  close(): void {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    this.#dtmf?.close();
    this.#dtmfListeners.clear();
    this.#socket.close();
  }

  #stopPlayback(): void {
    if (this.#playback) this.#finish(this.#playback, 'stopped');
  }

  // Packets are taken from the offer's address whatever their source port or SSRC (no locking
  // onto one source: a phone may restart its stream); other payload types are not ours to read.
  #receive(packet: Buffer, from: RemoteInfo): void {
    if (this.#closed || from.address !== this.remote.address) return;
    const rtp = parseRtp(packet);
    if (!rtp || rtp.version !== 2) return;
    if (rtp.payloadType === this.telephoneEvent) this.#dtmf?.receive(rtp.timestamp, rtp.payload);
    else if (rtp.payloadType === this.payloadType)
      this.#recorder?.receive(rtp.timestamp, rtp.payload);
  }

  #digit(digit: string): void {
    this.#recorder?.dtmf(digit);
    for (const listener of [...this.#dtmfListeners]) {
      try {
        listener(digit);
      } catch (err) {
        this.#logger.error({ err, digit }, 'DTMF listener threw');
      }
    }
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
        this.#logger.warn({ err, remote: this.remote }, 'media RTP send failed');
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
