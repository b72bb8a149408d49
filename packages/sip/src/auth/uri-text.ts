// The Request-URI as text, to compare with a digest-uri (RFC 2617 §3.2.2.5).
// DEVIATION: a local formatter until the message layer exports its URI serialiser.
import type { Params, Uri } from '../message/types.ts';

function paramsText(params: Params): string {
  return Object.entries(params)
    .map(([name, value]) => (value === null ? `;${name}` : `;${name}=${value}`))
    .join('');
}

export function uriText(uri: Uri): string {
  if ('host' in uri) {
    const userinfo =
      uri.user === undefined
        ? ''
        : `${uri.user}${uri.password === undefined ? '' : `:${uri.password}`}@`;
    const port = uri.port === undefined ? '' : `:${uri.port}`;
    const headers = Object.entries(uri.headers)
      .map(([n, v]) => `${n}=${v}`)
      .join('&');
    return `${uri.scheme}:${userinfo}${uri.host}${port}${paramsText(uri.params)}${headers ? `?${headers}` : ''}`;
  }
  if ('number' in uri) return `tel:${uri.number}${paramsText(uri.params)}`;
  return `${uri.scheme}:${uri.value}`;
}
