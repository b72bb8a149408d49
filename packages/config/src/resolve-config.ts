import { isAbsolute, resolve } from 'node:path';
import type { Config, ConfigFile } from './schema.ts';

/** What resolution needs from the machine; injected so tests get fixed answers. */
export interface ConfigSystem {
  hostname(): string;
  pid: number;
  /** Shaped like os.networkInterfaces(). */
  networkInterfaces(): Record<
    string,
    readonly { address: string; family: string | number; internal: boolean }[] | undefined
  >;
  randomSecret(): string;
}

/** Fills in `auto` values, makes paths absolute (against `root`) and supplies a secret. */
export function resolveConfig(file: ConfigFile, root: string, system: ConfigSystem): Config {
  const fromRoot = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  const opt = (p: string | null | undefined) => (p ? fromRoot(p) : undefined);
  const dataDir = fromRoot(file.dataDir);
  const secure = (t: ConfigFile['sip']['tls']) => ({
    enabled: t.enabled,
    port: t.port,
    ...(t.certFile ? { certFile: fromRoot(t.certFile) } : {}),
    ...(t.keyFile ? { keyFile: fromRoot(t.keyFile) } : {}),
  });
  const provisioningFile = opt(file.provisioning.file);
  const advertisedHost =
    file.sip.advertisedHost === 'auto' ? firstExternalIPv4(system) : file.sip.advertisedHost;
  return {
    server: {
      id: file.server.id === 'auto' ? `${system.hostname()}-${system.pid}` : file.server.id,
    },
    sip: {
      ...file.sip,
      advertisedHost,
      tls: secure(file.sip.tls),
      wss: secure(file.sip.wss),
    },
    registrar: { ...file.registrar, udpKeepalive: { ...file.registrar.udpKeepalive } },
    auth: {
      algorithms: [...file.auth.algorithms],
      nonceTtl: file.auth.nonceTtl,
      secret: file.auth.secret ?? system.randomSecret(),
      secretGenerated: !file.auth.secret,
    },
    http: { ...file.http },
    api: {
      secureCookie: file.api.secureCookie,
      ...(file.api.operatorLogin ? { operatorLogin: file.api.operatorLogin } : {}),
      ...(file.api.operatorPassword ? { operatorPassword: file.api.operatorPassword } : {}),
    },
    dataDir,
    database: { url: databaseUrl(file.database.url, dataDir, fromRoot) },
    state: {
      driver: file.state.driver,
      keyPrefix: file.state.keyPrefix,
      ...(file.state.redisUrl ? { redisUrl: file.state.redisUrl } : {}),
    },
    provisioning: {
      applyOnStart: file.provisioning.applyOnStart,
      ...(provisioningFile ? { file: provisioningFile } : {}),
    },
    log: { ...file.log },
    scheduler: { ...file.scheduler },
    calls: {
      ...file.calls,
      trunks: file.calls.trunks.map((t) => ({
        name: t.name,
        address: t.address,
        ...(t.port ? { port: t.port } : {}),
        protocol: t.protocol ?? 'UDP',
        outbound: t.outbound ?? false,
      })),
    },
    media: {
      ...file.media,
      advertisedAddress:
        file.media.advertisedAddress === 'auto' ? advertisedHost : file.media.advertisedAddress,
    },
    announcements: { ...file.announcements },
    mail: {
      ...file.mail,
      outboxDir: opt(file.mail.outboxDir) ?? resolve(dataDir, 'outbox'),
      smtp: {
        host: file.mail.smtp.host,
        port: file.mail.smtp.port,
        secure: file.mail.smtp.secure,
        ...(file.mail.smtp.user ? { user: file.mail.smtp.user } : {}),
        ...(file.mail.smtp.password ? { password: file.mail.smtp.password } : {}),
      },
    },
    voicemail: {
      ...file.voicemail,
      storeDir: opt(file.voicemail.storeDir) ?? resolve(dataDir, 'voicemail'),
    },
  };
}

function databaseUrl(
  url: string | null | undefined,
  dataDir: string,
  fromRoot: (p: string) => string,
): string {
  if (!url) return `sqlite:${resolve(dataDir, 'ipvoice.sqlite')}`;
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    return path === ':memory:' ? url : `sqlite:${fromRoot(path)}`;
  }
  return url;
}

function firstExternalIPv4(system: ConfigSystem): string {
  for (const addresses of Object.values(system.networkInterfaces())) {
    for (const a of addresses ?? []) {
      // Node 18.0-18.3 reported family as the number 4.
      if ((a.family === 'IPv4' || a.family === 4) && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}
