// Writing Authorization / WWW-Authenticate values (RFC 3261 §25.1 challenge and credentials):
//   scheme LWS auth-param *(COMMA auth-param). Reading them is the message layer's parseAuthParams.
import { quote } from '../message/scan.ts';

/** One directive to write; `quoted` for quoted-string values. */
export type AuthParam = readonly [name: string, value: string, quoted: boolean];

export function formatAuthValue(scheme: string, params: readonly AuthParam[]): string {
  return `${scheme} ${params.map(([name, value, quoted]) => `${name}=${quoted ? quote(value) : value}`).join(', ')}`;
}
