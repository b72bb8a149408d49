// @ipvoice/sip: the public API of every layer, lowest first
// (core → message → transport → transaction → dialog → auth → app; see README.md).
export { systemClock, FakeClock, type Clock, type TimerHandle } from './core/clock.ts';
export { noopLogger, type Logger } from './core/logger.ts';
export * from './message/index.ts';
export * from './transport/index.ts';
export * from './transaction/index.ts';
export * from './dialog/index.ts';
export * from './auth/index.ts';
export * from './app/index.ts';
