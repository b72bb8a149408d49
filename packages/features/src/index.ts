// @ipvoice/features: the pure decision core (ARCHITECTURE.md decision 2).
export * from './types.ts';
export * from './numbers.ts';
export * from './forwarding-target.ts';
export * from './decide.ts';
export * from './rate-band.ts';
export * from './schedule.ts';
export * from './effective-forwarding.ts';
export * from './emergency.ts';
export * from './screening.ts';
export * from './outgoing.ts';
export * from './hunt.ts';
export { monthKey, previousMonthKey } from './local-time.ts';
export * from './pin.ts';
export * from './pin-lockout.ts';
export * from './voicemail.ts';
export * from './incoming-notice.ts';
export * from './password.ts';
export * from './usage-period.ts';
