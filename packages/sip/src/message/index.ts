// The SIP message layer (RFC 3261 §7, §19, §20, §25): parse, serialise, build.
export type * from './types.ts';
export { parseMessage, type ParseOptions } from './parse.ts';
export { serializeMessage } from './serialize.ts';
export { parseUri, formatUri, uriEquals, unescape, escapeUser, isSipUri, isTelUri } from './uri.ts';
export { parseNameAddr, parseNameAddrList, formatNameAddr } from './name-addr.ts';
export { parseVia, parseViaList, formatVia } from './via.ts';
export { parseParams, formatParams } from './params.ts';
export { quote, unquote, isToken, splitTopLevel } from './scan.ts';
export {
  COMPACT_FORMS,
  canonicalName,
  getHeader,
  getHeaders,
  setHeader,
  addHeader,
  removeHeader,
  getTokenList,
  parseAuthParams,
  type AuthParams,
  type HeaderSource,
} from './headers.ts';
export {
  createResponse,
  createResponseToUnparsed,
  formatRawErrorResponse,
  REASON_PHRASES,
  type ResponseOptions,
} from './builders.ts';
export {
  BRANCH_MAGIC_COOKIE,
  randomIdGenerator,
  sequentialIdGenerator,
  type IdGenerator,
} from './ids.ts';
