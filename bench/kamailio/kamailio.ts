// Starts Kamailio with bench/kamailio/kamailio.cfg (the registrar) or another config such as
// calls.cfg: htable data generated into db_text tables in a temporary folder, one UDP worker,
// listening on loopback UDP and TCP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForSip } from './wait-for-sip.ts';

export const kamailioConfig = fileURLToPath(new URL('./kamailio.cfg', import.meta.url));
/** The calls peer: stateful, record-routing proxy with per-number htable lookups. */
export const kamailioCallsConfig = fileURLToPath(new URL('./calls.cfg', import.meta.url));

/** An htable loaded from db_text: key → string value. */
export type HtableRows = ReadonlyArray<readonly [key: string, value: string]>;

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
  /** kamailio.cfg (the registrar) unless told. */
  config?: string;
  /** For kamailio.cfg: written as its `credentials` and `aors` tables. */
  credentials?: Credential[];
  /** Further htable tables by name, for configs such as calls.cfg. */
  tables?: Record<string, HtableRows>;
  /** Further `#!define`s of the config (`-A NAME="value"`), e.g. calls.cfg's DSLIST. */
  defines?: Record<string, string>;
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
  await writeHtableTables(dbDir, {
    ...(options.credentials !== undefined ? credentialTables(options.credentials) : {}),
    ...options.tables,
  });

  const args = [
    '-f',
    options.config ?? kamailioConfig,
    '-A',
    `DBURL="text://${dbDir}"`,
    '-A',
    `MIN_EXPIRES=${options.minExpires ?? 60}`,
    ...Object.entries(options.defines ?? {}).flatMap(([name, value]) => [
      '-A',
      `${name}="${value}"`,
    ]),
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
 * kamailio.cfg's tables: `credentials` maps SIP-ID to password, `aors` maps SIP-ID to the AOR
 * user it may register.
 */
export function credentialTables(credentials: Credential[]): Record<string, HtableRows> {
  return {
    credentials: credentials.map((c) => [c.sipId, c.password] as const),
    aors: credentials.map((c) => [c.sipId, c.aorUser] as const),
  };
}

export async function writeCredentialTables(
  dbDir: string,
  credentials: Credential[],
): Promise<void> {
  await writeHtableTables(dbDir, credentialTables(credentials));
}

/**
 * db_text tables in htable's layout (key_name, key_type, value_type, key_value, expires),
 * string keys and values, plus db_text's `version` table naming them.
 */
export async function writeHtableTables(
  dbDir: string,
  tables: Record<string, HtableRows>,
): Promise<void> {
  const header = 'key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n';
  const row = ([key, value]: readonly [string, string]): string =>
    `${escape(key)}:0:0:${escape(value)}:0\n`;
  for (const [name, rows] of Object.entries(tables)) {
    await writeFile(join(dbDir, name), header + rows.map(row).join(''));
  }
  await writeFile(
    join(dbDir, 'version'),
    'table_name(str) table_version(int)\n' +
      Object.keys(tables)
        .map((name) => `${name}:2\n`)
        .join(''),
  );
}

// db_text separates columns with ':'.
function escape(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
}
