// One recording of the caller's audio (SPEC §3.11: a voicemail message, a greeting): G.711
// payloads decoded and placed on a timeline by RTP timestamp, ended by length, by silence, by
// a DTMF digit, or by the session.
import type { MediaClock, TimerHandle } from './clock.ts';
import { isVoiced } from './levels.ts';

export interface RecordOptions {
  /** The most audio kept; the recording ends when it is reached. */
  maxMs: number;
  /** Ends the recording after this much continuous silence (nothing received counts as
   * silence); omitted, silence never ends it. */
  silenceMs?: number;
  /** DTMF digits that end the recording; '' for none. Default '#'. */
  endDigits?: string;
}

export type RecordingEnd = 'max' | 'silence' | 'dtmf' | 'stopped';

export interface Recording {
  /** 8 kHz 16-bit mono. */
  samples: Int16Array;
  durationMs: number;
  endedBy: RecordingEnd;
  /** The digit that ended it, when endedBy is 'dtmf'. */
  digit?: string;
}

export interface RecorderParams {
  options: RecordOptions;
  decode: (payload: Buffer) => Int16Array;
  clock: MediaClock;
  done: (recording: Recording) => void;
}

const SAMPLES_PER_MS = 8;
/** 20 ms: the frame over which silence is judged, as voicedMs does. */
const FRAME_SAMPLES = 160;
/** Room for 10 s at first; grown by doubling up to the maximum. */
const INITIAL_SAMPLES = 10_000 * SAMPLES_PER_MS;

export class RecordError extends Error {
  override name = 'RecordError';
}

export class Recorder {
  readonly #decode: (payload: Buffer) => Int16Array;
  readonly #clock: MediaClock;
  readonly #done: (recording: Recording) => void;
  readonly #maxSamples: number;
  readonly #silenceSamples: number | undefined;
  readonly #endDigits: string;
  readonly #startedAt: number;
  #samples: Int16Array;
  /** 1 where a packet has written the sample; a second packet for it is a duplicate. */
  #written: Uint8Array;
  /** RTP timestamp of sample 0: the first packet's. */
  #base: number | undefined;
  /** Samples on the timeline: one past the last written. */
  #length = 0;
  /** One past the last voiced 20 ms frame: silence is what lies after it. */
  #voicedEnd = 0;
  /** Clock time when #length last grew. */
  #lastGrewAt: number | undefined;
  #timer: TimerHandle | undefined;
  #finished = false;

  /** Throws RecordError for options that cannot end a recording sensibly. */
  constructor(p: RecorderParams) {
    const { maxMs, silenceMs, endDigits = '#' } = p.options;
    if (!(Number.isFinite(maxMs) && maxMs > 0))
      throw new RecordError(`maxMs ${maxMs} is not a positive number`);
    if (silenceMs !== undefined && !(Number.isFinite(silenceMs) && silenceMs > 0))
      throw new RecordError(`silenceMs ${silenceMs} is not a positive number`);
    this.#decode = p.decode;
    this.#clock = p.clock;
    this.#done = p.done;
    this.#maxSamples = Math.round(maxMs * SAMPLES_PER_MS);
    this.#silenceSamples =
      silenceMs === undefined ? undefined : Math.round(silenceMs * SAMPLES_PER_MS);
    this.#endDigits = endDigits.toUpperCase();
    this.#startedAt = p.clock.now();
    this.#samples = new Int16Array(Math.min(INITIAL_SAMPLES, this.#maxSamples));
    this.#written = new Uint8Array(this.#samples.length);
    this.#arm();
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** An audio packet of the negotiated codec: its RTP timestamp and payload. */
  receive(timestamp: number, payload: Buffer): void {
    if (this.#finished || payload.length === 0) return;
    this.#base ??= timestamp;
    // RFC 3550 §5.1: timestamps wrap; | 0 gives the signed distance from the first packet.
    const offset = (timestamp - this.#base) | 0;
    if (offset < 0) return; // sent before the recording began
    const silence = this.#silenceSamples;
    // A gap is silence; one longer than the silence allowed ends the recording before it.
    if (offset > this.#length && silence !== undefined && offset - this.#voicedEnd >= silence)
      return this.#finish('silence');
    if (offset >= this.#maxSamples) {
      this.#reserve(this.#maxSamples);
      this.#length = this.#maxSamples;
      return this.#finish('max');
    }
    // A duplicate, or a late packet whose place is already written: dropped.
    if (this.#written[offset] === 1) return;

    const decoded = this.#decode(payload);
    const end = Math.min(offset + decoded.length, this.#maxSamples);
    this.#reserve(end);
    this.#samples.set(decoded.subarray(0, end - offset), offset);
    this.#written.fill(1, offset, end);
    for (let frame = offset; frame < end; frame += FRAME_SAMPLES) {
      const frameEnd = Math.min(frame + FRAME_SAMPLES, end);
      if (isVoiced(this.#samples, frame, frameEnd))
        this.#voicedEnd = Math.max(this.#voicedEnd, frameEnd);
    }
    if (end > this.#length) {
      this.#length = end;
      this.#lastGrewAt = this.#clock.now();
    }
    if (this.#length >= this.#maxSamples) return this.#finish('max');
    if (silence !== undefined && this.#length - this.#voicedEnd >= silence)
      return this.#finish('silence');
    this.#arm();
  }

  /** A DTMF digit from the caller: ends the recording if it is one of the end digits. */
  dtmf(digit: string): void {
    if (!this.#finished && digit !== '' && this.#endDigits.includes(digit))
      this.#finish('dtmf', digit);
  }

  /** Ends it now, keeping what was received. */
  stop(): void {
    if (!this.#finished) this.#finish('stopped');
  }

  // Time-based ends must come even when the caller sends nothing more (hung up, on hold): the
  // audio timeline is carried on by the clock from the moment it last grew.
  #arm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    const { maxAt, silenceAt } = this.#deadlines();
    const next = Math.min(maxAt, silenceAt ?? Infinity);
    this.#timer = this.#clock.setTimeout(() => this.#expire(), next - this.#clock.now());
  }

  #deadlines(): { maxAt: number; silenceAt: number | undefined } {
    const grewAt = this.#lastGrewAt;
    const silence = this.#silenceSamples;
    // Nothing received at all is silence too (a caller who hung up unheard, media that never
    // gets through): it ends the recording as soon as that much silence would.
    if (grewAt === undefined)
      return {
        maxAt: this.#startedAt + this.#maxSamples / SAMPLES_PER_MS,
        silenceAt: silence === undefined ? undefined : this.#startedAt + silence / SAMPLES_PER_MS,
      };
    return {
      maxAt: grewAt + (this.#maxSamples - this.#length) / SAMPLES_PER_MS,
      silenceAt:
        silence === undefined
          ? undefined
          : grewAt + (silence - (this.#length - this.#voicedEnd)) / SAMPLES_PER_MS,
    };
  }

  #expire(): void {
    this.#timer = undefined;
    if (this.#finished) return;
    const now = this.#clock.now();
    const { maxAt, silenceAt } = this.#deadlines();
    if (silenceAt !== undefined && now >= silenceAt) return this.#finish('silence');
    if (now >= maxAt) return this.#finish('max');
    this.#arm(); // a timer that fired early
  }

  #reserve(end: number): void {
    if (end <= this.#samples.length) return;
    let size = Math.max(1, this.#samples.length);
    while (size < end) size *= 2;
    size = Math.min(size, this.#maxSamples);
    const samples = new Int16Array(size);
    samples.set(this.#samples);
    const written = new Uint8Array(size);
    written.set(this.#written);
    this.#samples = samples;
    this.#written = written;
  }

  #finish(endedBy: RecordingEnd, digit?: string): void {
    this.#finished = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    // Ended by silence: the silence that ended it is not part of the message.
    const length = endedBy === 'silence' ? Math.min(this.#voicedEnd, this.#length) : this.#length;
    const samples = this.#samples.slice(0, length);
    this.#samples = new Int16Array(0);
    this.#written = new Uint8Array(0);
    this.#done({
      samples,
      durationMs: length / SAMPLES_PER_MS,
      endedBy,
      ...(digit === undefined ? {} : { digit }),
    });
  }
}
