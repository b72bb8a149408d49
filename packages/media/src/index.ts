export {
  encodeMulaw,
  decodeMulaw,
  encodeAlaw,
  decodeAlaw,
  mulawByte,
  alawByte,
  MULAW_SILENCE,
  ALAW_SILENCE,
} from './g711.ts';
export { readWav, writeWav, WavError, type Wav, type ReadWavOptions } from './wav.ts';
export { MessageStore } from './message-store.ts';
export {
  loadPrompts,
  voicedMs,
  countPrompts,
  promptFromSamples,
  promptsDir,
  guidances,
  voicemailPrompts,
  promptNames,
  promptLanguages,
  PROMPT_SAMPLE_RATE,
  PromptError,
  type Guidance,
  type VoicemailPrompt,
  type PromptName,
  type PromptLanguage,
  type Prompt,
  type PromptLibrary,
} from './prompts.ts';
export { negotiate, type Negotiation, type Codec, type OfferedMediaLine } from './negotiate.ts';
export {
  MediaEngine,
  MediaError,
  type MediaEngineOptions,
  type OpenOptions,
} from './media-engine.ts';
export type { MediaDirection } from './sdp-answer.ts';
export {
  MediaSession,
  // The name from before sessions were two-way; the same class.
  MediaSession as AnnouncementSession,
  FRAME_SAMPLES,
  FRAME_MS,
  type PlayResult,
  type DtmfListener,
} from './media-session.ts';
export { RecordError, type RecordOptions, type Recording, type RecordingEnd } from './recorder.ts';
export { dtmfDigits } from './dtmf-receiver.ts';
export { parseRtp, writeRtpHeader, type RtpHeader, type ParsedRtp } from './rtp-packet.ts';
export { monotonicClock, type MediaClock, type TimerHandle, type RandomInt } from './clock.ts';
export type { Logger } from './logger.ts';
