export * from './digest.ts';
export * from './digest-server.ts';
export * from './digest-client.ts';
export * from './nonce-count-store.ts';
export { formatAuthValue, type AuthParam } from './auth-header.ts';
