// Via (RFC 3261 §20.42, §18.2.1; RFC 3581 rport).
import type { Via } from './types.ts';
import { formatParams, parseParams } from './params.ts';
import { isToken, splitTopLevel } from './scan.ts';

// sent-protocol = protocol-name SLASH protocol-version SLASH transport (SLASH = SWS "/" SWS),
// LWS, sent-by = host [ COLON port ]
const VIA =
  /^([^\s/;]+)\s*\/\s*([^\s/;]+)\s*\/\s*([^\s/;]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:\s*:\s*(\d{1,5}))?\s*(?:;([\s\S]*))?$/;

export function parseVia(text: string): Via | undefined {
  const m = VIA.exec(text.trim());
  if (!m) return undefined;
  const [, name = '', version = '', transport = '', host = '', portText, paramText] = m;
  if (!isToken(name) || !isToken(version) || !isToken(transport)) return undefined;
  const via: Via = {
    protocol: `${name.toUpperCase()}/${version}`,
    transport: transport.toUpperCase(),
    host,
    params: {},
  };
  if (portText !== undefined) {
    const port = Number(portText);
    if (port > 65535) return undefined;
    via.port = port;
  }
  if (paramText !== undefined) {
    const params = parseParams(paramText);
    if (!params) return undefined;
    via.params = params;
  }
  return via;
}

/** Parses a Via header value that may hold several comma-separated via-parms. */
export function parseViaList(text: string): Via[] | undefined {
  const parts = splitTopLevel(text, ',');
  if (!parts) return undefined;
  const out: Via[] = [];
  for (const part of parts) {
    const via = parseVia(part);
    if (!via) return undefined;
    out.push(via);
  }
  return out;
}

export function formatVia(via: Via): string {
  const port = via.port !== undefined ? `:${via.port}` : '';
  return `${via.protocol}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}
