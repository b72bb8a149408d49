// Starts our feature server for a benchmark: a generated provisioning file (by default one
// base number with SIP credentials per subscriber), an optional config file merged over
// config/default.yaml, a fresh data folder, pinned with taskset.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Credential, RunningKamailio } from '../kamailio/kamailio.ts';
import { waitForSip } from '../kamailio/wait-for-sip.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const featureServerMain = join(repoRoot, 'services/feature-server/src/main.ts');

export interface FeatureServerOptions {
  dir: string;
  port: number;
  httpPort: number;
  /** The subscribers, provisioned by `provisioningYaml`; or give `provisioning` instead. */
  credentials?: Credential[];
  /** Provisioning YAML (provisioning/README.md) to apply at start, instead of `credentials`. */
  provisioning?: string;
  /** YAML merged over config/default.yaml (CONFIG_FILE), e.g. trusted trunks. */
  config?: string;
  cpus?: string;
  startTimeoutMs: number;
}

/** A process under test; the same shape as the running Kamailio. */
export type RunningServer = Pick<RunningKamailio, 'log' | 'stop'> & {
  /** The server process itself (node, which taskset execs), for reading its memory. */
  pid?: number;
};

export async function featureServerExists(): Promise<boolean> {
  return access(featureServerMain).then(
    () => true,
    () => false,
  );
}

export async function startFeatureServer(options: FeatureServerOptions): Promise<RunningServer> {
  const dataDir = join(options.dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const provisioningFile = join(options.dir, 'provisioning.yaml');
  await writeFile(
    provisioningFile,
    options.provisioning ?? provisioningYaml(options.credentials ?? []),
  );
  const configFile = join(options.dir, 'config.yaml');
  if (options.config !== undefined) await writeFile(configFile, options.config);

  // BENCH_NODE_FLAGS (e.g. "--trace-gc" or "--cpu-prof") to look inside a run.
  const flags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  const node = [process.execPath, ...flags, '--import', 'tsx', featureServerMain];
  const [command, ...args] =
    options.cpus !== undefined ? ['taskset', '-c', options.cpus, ...node] : node;
  const child = spawn(command as string, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SIP_PORT: String(options.port),
      HTTP_PORT: String(options.httpPort),
      DATA_DIR: dataDir,
      PROVISIONING_FILE: provisioningFile,
      ...(options.config !== undefined ? { CONFIG_FILE: configFile } : {}),
      // Warnings only, like Kamailio's debug=0: logging every REGISTER would measure the logger.
      LOG_LEVEL: 'warn',
      // SIPp 3.6 answers only MD5 challenges and takes the first one offered; Kamailio offers
      // MD5 alone too, so both servers do the same digest work.
      IPVOICE_AUTH__ALGORITHMS: 'MD5',
    },
  });
  let log = '';
  const logFile = process.env['BENCH_SERVER_LOG'];
  const keep = (chunk: string): void => {
    log = (log + chunk).slice(-20_000);
    if (logFile) appendFileSync(logFile, chunk);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await Promise.race([
      waitForSip({ port: options.port, timeoutMs: options.startTimeoutMs }),
      exited.then(() => {
        throw new Error(`the feature server exited at start-up:\n${log.slice(-3000)}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { log: () => log, stop, ...(child.pid !== undefined ? { pid: child.pid } : {}) };
}

export interface ProvisioningOptions {
  /** Channels (concurrent calls) of each access line; 1,000 unless told (at most 10,000). */
  channels?: number;
  /** Busy forwarding (SPEC §3.1): AOR user → the number its calls go to when it is busy. */
  busyForwarding?: ReadonlyMap<string, string>;
  /** Nuisance blocking (SPEC §3.8): AOR user → the callers it blocks (with the subscription). */
  nuisanceBlocking?: ReadonlyMap<string, readonly string[]>;
  /** Round-robin hunt groups of the site (SPEC §3.5), caller ID of the pilot. */
  huntGroups?: ReadonlyArray<{ pilot: string; members: readonly string[] }>;
}

/** provisioning/README.md format: one voice group, one site, access lines of 1,000 numbers. */
export function provisioningYaml(
  credentials: Credential[],
  options: ProvisioningOptions = {},
): string {
  const lines = [
    'version: 1',
    'voiceGroups:',
    '  - code: VG90000',
    '    name: Benchmark',
    '    sites:',
  ];
  lines.push('      - code: "9000000"', '        name: Benchmark site', '        accessLines:');
  for (let start = 0; start < credentials.length; start += 1000) {
    const line = String(start / 1000 + 1).padStart(9, '0');
    lines.push(
      `          - code: N${line}`,
      `            channels: ${options.channels ?? 1000}`,
      '            numbers:',
    );
    for (const c of credentials.slice(start, start + 1000)) {
      lines.push(
        `              - number: "${c.aorUser}"`,
        `                sip: { username: "${c.sipId}", password: "${c.password}" }`,
      );
      const subscriptions: string[] = [];
      const target = options.busyForwarding?.get(c.aorUser);
      if (target !== undefined) {
        lines.push(
          `                forwarding: { enabled: true, when: [busy], slots: ["${target}"], target: 1 }`,
        );
      }
      const blocked = options.nuisanceBlocking?.get(c.aorUser);
      if (blocked !== undefined) {
        subscriptions.push('nuisance_blocking');
        lines.push(
          `                nuisanceBlocking: { numbers: [${blocked.map((n) => `"${n}"`).join(', ')}] }`,
        );
      }
      if (options.huntGroups?.some((g) => g.pilot === c.aorUser) === true) {
        subscriptions.push('hunt_group');
      }
      if (subscriptions.length > 0) {
        lines.push(`                subscriptions: [${subscriptions.join(', ')}]`);
      }
    }
  }
  if (options.huntGroups !== undefined && options.huntGroups.length > 0) {
    lines.push('        huntGroups:');
    for (const g of options.huntGroups) {
      lines.push(
        `          - pilot: "${g.pilot}"`,
        '            mode: round_robin',
        '            callerId: pilot',
        `            members: [${g.members.map((n) => `"${n}"`).join(', ')}]`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
