import type { ConfigIssue } from './config-error.ts';
import { treeAt, type Layer } from './layers.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** The short variables operators and test harnesses use; each maps to one or more keys. */
const named: Record<string, (value: string) => Record<string, unknown>[]> = {
  SIP_PORT: (v) => [treeAt(['sip', 'udp', 'port'], v), treeAt(['sip', 'tcp', 'port'], v)],
  HTTP_PORT: (v) => [treeAt(['http', 'port'], v)],
  DATA_DIR: (v) => [treeAt(['dataDir'], v)],
  DATABASE_URL: (v) => [treeAt(['database', 'url'], v)],
  REDIS_URL: (v) => [treeAt(['state', 'redisUrl'], v), treeAt(['state', 'driver'], 'redis')],
  PROVISIONING_FILE: (v) => [treeAt(['provisioning', 'file'], v)],
  LOG_LEVEL: (v) => [treeAt(['log', 'level'], v)],
  SIP_DOMAIN: (v) => [treeAt(['sip', 'domain'], v)],
  SIP_ADVERTISED_HOST: (v) => [treeAt(['sip', 'advertisedHost'], v)],
  SERVER_ID: (v) => [treeAt(['server', 'id'], v)],
};

const GENERIC = 'IPVOICE_';

/**
 * Environment overrides as layers, one per variable so errors name the variable. The generic
 * `IPVOICE_A__B_C` form comes first and the named variables after it, so the documented
 * short names win. Empty values count as unset.
 */
export function envLayers(env: Env): { layers: Layer[]; issues: ConfigIssue[] } {
  const layers: Layer[] = [];
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith(GENERIC) || value === undefined || value === '') continue;
    const path = genericPath(name.slice(GENERIC.length));
    if (!path) {
      issues.push({
        key: '',
        message: `cannot map ${name} to a key (use IPVOICE_<SECTION>__<KEY>)`,
        source: name,
      });
      continue;
    }
    layers.push({ source: name, values: treeAt(path, value) });
  }
  for (const [name, map] of Object.entries(named)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    for (const values of map(value)) layers.push({ source: name, values });
  }
  return { layers, issues };
}

/** `REGISTRAR__MIN_EXPIRES` → `['registrar', 'minExpires']`. */
export function genericPath(rest: string): string[] | undefined {
  const segments = rest.split('__');
  if (segments.some((s) => !/^[A-Z0-9]+(_[A-Z0-9]+)*$/i.test(s))) return undefined;
  return segments.map((s) =>
    s
      .toLowerCase()
      .split('_')
      .map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
      .join(''),
  );
}
