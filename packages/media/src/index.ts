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
export {
  loadPrompts,
  voicedMs,
  promptsDir,
  guidances,
  promptLanguages,
  PROMPT_SAMPLE_RATE,
  PromptError,
  type Guidance,
  type PromptLanguage,
  type Prompt,
  type PromptLibrary,
} from './prompts.ts';
export { negotiate, type Negotiation, type Codec, type OfferedMediaLine } from './negotiate.ts';
export { MediaEngine, MediaError, type MediaEngineOptions } from './media-engine.ts';
export {
  AnnouncementSession,
  FRAME_SAMPLES,
  FRAME_MS,
  type PlayResult,
} from './announcement-session.ts';
export { parseRtp, writeRtpHeader, type RtpHeader, type ParsedRtp } from './rtp-packet.ts';
export { monotonicClock, type MediaClock, type TimerHandle, type RandomInt } from './clock.ts';
export type { Logger } from './logger.ts';
