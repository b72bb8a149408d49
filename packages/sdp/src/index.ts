export { inspectSdp, type SdpCheck, type MediaSummary } from './inspect.ts';
