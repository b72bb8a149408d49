// Starts the real feature server as a child process, as `npm start` does, on its own
// ports and data folder, and resolves once it logs that it is listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface ServerOptions {
  /** Provisioning YAML text; without it the server loads its default, the demo tenant. */
  provisioning?: string;
  /** Extra environment (REDIS_URL, IPVOICE_REGISTRAR__MIN_EXPIRES …). */
  env?: Record<string, string>;
  /** Reuse a data folder (a restart); a fresh one by default. */
  dataDir?: string;
  /** Reuse a port (a restart). */
  port?: number;
  /** Configuration YAML text (calls.trunks …), written into the data folder as CONFIG_FILE. */
  config?: string;
}

export interface RunningServer {
  port: number;
  /** The REST API's base URL (`http://127.0.0.1:<port>`). */
  api: string;
  dataDir: string;
  target: string;
  /** Every log line so far (pino JSON). */
  logs: string[];
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Stops the process and removes its data folder. */
  dispose(): Promise<void>;
}

const reserved = new Set<number>();

/** A port free for both UDP and TCP on 127.0.0.1, never handed out twice by this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(0, '127.0.0.1', () => {
        const address = s.address();
        s.close(() => done(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (reserved.has(port)) continue;
    const udpFree = await new Promise<boolean>((done) => {
      const u = createSocket('udp4');
      u.once('error', () => done(false));
      u.bind(port, '127.0.0.1', () => u.close(() => done(true)));
    });
    if (udpFree) {
      reserved.add(port);
      return port;
    }
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ipvoice-e2e-')));
  const fileEnv: Record<string, string> = {};
  if (options.provisioning !== undefined) {
    fileEnv['PROVISIONING_FILE'] = join(dataDir, 'provisioning.yaml');
    await writeFile(fileEnv['PROVISIONING_FILE'], options.provisioning);
  }
  if (options.config !== undefined) {
    fileEnv['CONFIG_FILE'] = join(dataDir, 'config.yaml');
    await writeFile(fileEnv['CONFIG_FILE'], options.config);
  }

  // A port found free can be taken by another process (an outgoing socket's ephemeral port)
  // before the server binds it: then the server is started again on fresh ports. Anything
  // else that stops it is the test's failure.
  let started: { child: ChildProcess; port: number; httpPort: number; logs: string[] } | undefined;
  for (let attempt = 1; started === undefined; attempt++) {
    const port = options.port ?? (await freePort());
    const httpPort = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/feature-server/src/main.ts'],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          SIP_PORT: String(port),
          HTTP_PORT: String(httpPort),
          IPVOICE_HTTP__HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          ...fileEnv,
          SIP_ADVERTISED_HOST: '127.0.0.1',
          IPVOICE_SIP__HOST: '127.0.0.1',
          SERVER_ID: `e2e-${port}`,
          LOG_LEVEL: 'info',
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const logs: string[] = [];
    try {
      await waitForListening(child, logs);
      started = { child, port, httpPort, logs };
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('EADDRINUSE')) throw err;
    }
  }
  const { child, port, httpPort, logs } = started;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    port,
    api: `http://127.0.0.1:${httpPort}`,
    dataDir,
    target: `127.0.0.1:${port}`,
    logs,
    stop,
    async dispose() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function waitForListening(child: ChildProcess, logs: string[]): Promise<void> {
  return new Promise((done, fail) => {
    let stderr = '';
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        if (line.includes('"msg":"listening')) done();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) =>
      fail(new Error(`feature server exited (${code}) before listening:\n${stderr}`)),
    );
  });
}

/** Provisioning YAML for `count` base numbers 0312340000… with SIP-IDs user0000… */
export function subscribersYaml(count: number, first = 0): string {
  const numbers = Array.from({ length: count }, (_, i) => {
    const n = String(first + i).padStart(4, '0');
    return `              - number: "031234${n}"\n                sip: { username: user${n}, password: "pw-${n}-secret" }`;
  });
  return `version: 1
voiceGroups:
  - code: VG09999
    name: E2E
    sites:
      - code: "9999999"
        name: E2E site
        accessLines:
          - code: N999999999
            channels: 4
            numbers:
${numbers.join('\n')}
`;
}
