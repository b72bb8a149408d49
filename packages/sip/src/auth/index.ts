export * from './digest.ts';
export * from './digest-server.ts';
export * from './digest-client.ts';
export * from './nonce-count-store.ts';
export {
  parseAuthValue,
  formatAuthValue,
  type AuthValue,
  type AuthParam,
  type AuthParseResult,
} from './auth-header.ts';
