// Starts Kamailio with bench/kamailio/kamailio.cfg: credentials generated into db_text tables
// in a temporary folder, one UDP worker, listening on loopback UDP and TCP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForSip } from './wait-for-sip.ts';

export const kamailioConfig = fileURLToPath(new URL('./kamailio.cfg', import.meta.url));

/** One subscriber: the AOR user (national number) and the SIP-ID that authenticates for it. */
export interface Credential {
  aorUser: string;
  sipId: string;
  password: string;
}

export interface KamailioOptions {
  /** Empty folder for the db_text tables and the runtime files. */
  dir: string;
  port: number;
  credentials: Credential[];
  minExpires?: number;
  /** Pin to these CPUs with taskset (e.g. '0'). */
  cpus?: string;
  /** Shared memory in MB; usrloc and htable live there. */
  sharedMemoryMb?: number;
}

export interface RunningKamailio {
  process: ChildProcess;
  /** Everything Kamailio wrote to stderr so far (its log). */
  log(): string;
  stop(): Promise<void>;
}

export async function startKamailio(options: KamailioOptions): Promise<RunningKamailio> {
  const dbDir = join(options.dir, 'db');
  const runDir = join(options.dir, 'run');
  await mkdir(dbDir, { recursive: true });
  await mkdir(runDir, { recursive: true });
  await writeCredentialTables(dbDir, options.credentials);

  const args = [
    '-f',
    kamailioConfig,
    '-A',
    `DBURL="text://${dbDir}"`,
    '-A',
    `MIN_EXPIRES=${options.minExpires ?? 60}`,
    '-DD',
    '-E',
    '-n',
    '1',
    '-m',
    String(options.sharedMemoryMb ?? 256),
    '-l',
    `udp:127.0.0.1:${options.port}`,
    '-l',
    `tcp:127.0.0.1:${options.port}`,
    '-Y',
    runDir,
    '-w',
    options.dir,
  ];
  const child =
    options.cpus !== undefined
      ? spawn('taskset', ['-c', options.cpus, 'kamailio', ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        })
      : spawn('kamailio', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await Promise.race([
      waitForSip({ port: options.port, timeoutMs: 10_000 }),
      exited.then(() => {
        throw new Error(`kamailio exited at start-up:\n${log}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { process: child, log: () => log, stop };
}

/**
 * db_text tables in htable's layout (key_name, key_type, value_type, key_value, expires):
 * `credentials` maps SIP-ID to password, `aors` maps SIP-ID to the AOR user it may register.
 */
export async function writeCredentialTables(
  dbDir: string,
  credentials: Credential[],
): Promise<void> {
  const header = 'key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n';
  const row = (key: string, value: string): string => `${escape(key)}:0:0:${escape(value)}:0\n`;
  await writeFile(
    join(dbDir, 'credentials'),
    header + credentials.map((c) => row(c.sipId, c.password)).join(''),
  );
  await writeFile(
    join(dbDir, 'aors'),
    header + credentials.map((c) => row(c.sipId, c.aorUser)).join(''),
  );
  await writeFile(
    join(dbDir, 'version'),
    'table_name(str) table_version(int)\ncredentials:2\naors:2\n',
  );
}

// db_text separates columns with ':'.
function escape(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
}
