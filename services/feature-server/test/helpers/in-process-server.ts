// A feature server started in-process for a test file: its own data folder, free ports on
// 127.0.0.1, and a few subscribers of its own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ipvoice/config';
import { noopLogger } from '@ipvoice/sip';
import { startFeatureServer, type FeatureServer } from '../../src/feature-server.ts';

export interface Subscriber {
  number: string;
  username: string;
  password: string;
}

export interface TestServer {
  server: FeatureServer;
  dir: string;
  /** The port of a listening protocol (UDP, TCP, TLS, WS …). */
  port(protocol: string): number;
  /** Closes the server and removes its data folder. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** One voice group, site and access line holding `subscribers`; `tag` keeps codes apart. */
export function provisioningYaml(tag: string, subscribers: readonly Subscriber[]): string {
  const numbers = subscribers.map(
    (s) =>
      `              - number: "${s.number}"\n                sip: { username: ${s.username}, password: ${s.password} }`,
  );
  return `version: 1
voiceGroups:
  - code: VG000${tag}
    name: Test ${tag}
    sites:
      - code: "${tag}00001"
        name: Branch
        accessLines:
          - code: N${tag}0000001
            channels: 2
            numbers:
${numbers.join('\n')}
`;
}

/** Starts a server; `env` adds configuration (and may need `dir` for files it names). */
export async function startTestServer(options: {
  tag: string;
  subscribers: readonly Subscriber[];
  env?: (dir: string) => Promise<Record<string, string>> | Record<string, string>;
}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), `ipvoice-${options.tag}-`));
  await writeFile(
    join(dir, 'provisioning.yaml'),
    provisioningYaml(options.tag, options.subscribers),
  );
  const config = loadConfig({
    argv: [],
    env: {
      SIP_PORT: String(await freePort()),
      DATA_DIR: dir,
      PROVISIONING_FILE: join(dir, 'provisioning.yaml'),
      IPVOICE_SIP__HOST: '127.0.0.1',
      SIP_ADVERTISED_HOST: '127.0.0.1',
      ...(await options.env?.(dir)),
    },
  });
  const server = await startFeatureServer({ config, logger: noopLogger });
  return {
    server,
    dir,
    port: (protocol) => server.listeningPoints.find((p) => p.protocol === protocol)?.port ?? 0,
    async dispose() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
