// Runs one SIPp scenario and reports how it went. Every run gets its own SIP and media ports
// and its own temporary folder for SIPp's error trace and statistics, so many can run at once.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type SippTransport = 'u1' | 't1';

export interface SippRunOptions {
  /** Scenario XML file (absolute, or relative to the current directory). */
  scenario: string;
  /** host:port of the server under test; a UAS that only answers needs none. */
  target?: string;
  transport: SippTransport;
  /** CSV for -inf: first line SEQUENTIAL, then `AOR user;[authentication username=… password=…]`. */
  injectionFile?: string;
  /** Generic keywords, passed as `-key name value` and used as `[name]` in the scenario. */
  vars?: Record<string, string>;
  /** Number of calls (-m); 1 unless told; Infinity: no limit (a UAS that runs until stopped). */
  calls?: number;
  /** Calls per second (-r); SIPp's default of 10 unless told. */
  rate?: number;
  /** Duration of `<pause/>` without milliseconds (-d). */
  pauseMs?: number;
  /** Whole run limit; SIPp stops itself at this point and the run counts as failed. */
  timeoutMs: number;
  /** Write SIPp's statistics CSV (-trace_stat, one line per second) and return it. */
  stats?: boolean;
  /** Address SIPp binds and advertises in Via and Contact. */
  localIp?: string;
  /** Pin SIPp to these CPUs with taskset (e.g. '1'). */
  cpus?: string;
  /**
   * Local SIP port (-p); a free one unless told. Give one when the other side must know it in
   * advance (a trusted trunk, or a UAS whose Contact was registered from that port). The
   * caller owns that port: it is not reserved here.
   */
  sipPort?: number;
  extraArgs?: string[];
}

export interface SippResult {
  /** 0: every call succeeded; 1: some failed; 97: stopped by the scenario; 99: no call ran. */
  exitCode: number;
  successful: number;
  failed: number;
  stdout: string;
  stderr: string;
  /** SIPp's error trace (-trace_err): why calls failed. */
  errors: string;
  statsCsv?: string;
}

/** A SIPp started in the background (a UAS answering while a UAC runs elsewhere). */
export interface RunningSipp {
  sipPort: number;
  /** The process id of SIPp itself when it runs under taskset (taskset execs it). */
  pid: number | undefined;
  /** Settles when SIPp ends by itself (its calls are done or its -timeout passed). */
  done: Promise<SippResult>;
  /** Ends SIPp now (SIGINT, as Ctrl-C would) and reports how it went. */
  stop(): Promise<SippResult>;
}

/** Ports handed out by this process and not yet released, so parallel runs never share one. */
const reserved = new Set<number>();

export async function runSipp(options: SippRunOptions): Promise<SippResult> {
  return (await startSipp(options)).done;
}

export async function startSipp(options: SippRunOptions): Promise<RunningSipp> {
  const dir = await mkdtemp(join(tmpdir(), 'sipp-'));
  const ownPort = options.sipPort === undefined;
  const sipPort = options.sipPort ?? (await reservePorts(1));
  // SIPp binds its RTP echo on -mp and -mp + 2 even when no media flows.
  const mediaPort = await reservePorts(4);
  const errorFile = join(dir, 'errors.log');
  const statsFile = join(dir, 'stats.csv');
  const timeoutSeconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  const args = [
    ...(options.target !== undefined ? [options.target] : []),
    '-sf',
    resolve(options.scenario),
    '-t',
    options.transport,
    '-i',
    options.localIp ?? '127.0.0.1',
    '-p',
    String(sipPort),
    '-mp',
    String(mediaPort),
    ...(options.calls === Infinity ? [] : ['-m', String(options.calls ?? 1)]),
    '-nostdin',
    // Abort (and count as failed) on an unexpected message, but send no BYE: there is no dialog.
    '-default_behaviors',
    'all,-bye',
    '-timeout',
    `${timeoutSeconds}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    errorFile,
  ];
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.injectionFile !== undefined) args.push('-inf', resolve(options.injectionFile));
  if (options.pauseMs !== undefined) args.push('-d', String(options.pauseMs));
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push('-key', name, value);
  if (options.stats === true) args.push('-trace_stat', '-stf', statsFile, '-fd', '1');
  args.push(...(options.extraArgs ?? []));

  const [command, commandArgs] =
    options.cpus !== undefined
      ? ['taskset', ['-c', options.cpus, 'sipp', ...args]]
      : ['sipp', args];
  const running = run(command, commandArgs, dir, options.timeoutMs + 5000);
  const done = (async (): Promise<SippResult> => {
    try {
      const { exitCode, stdout, stderr } = await running.exited;
      const counts = parseCounts(stdout);
      const errors = await readFile(errorFile, 'utf8').catch(() => '');
      const statsCsv =
        options.stats === true
          ? await readFile(statsFile, 'utf8').catch(() => undefined)
          : undefined;
      return {
        exitCode,
        ...counts,
        stdout,
        stderr,
        errors,
        ...(statsCsv !== undefined ? { statsCsv } : {}),
      };
    } finally {
      if (ownPort) reserved.delete(sipPort);
      for (let port = mediaPort; port < mediaPort + 4; port++) reserved.delete(port);
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return {
    sipPort,
    pid: running.pid,
    done,
    stop: async () => {
      running.interrupt();
      return done;
    },
  };
}

/** The cumulative column of SIPp's final screen. */
function parseCounts(stdout: string): { successful: number; failed: number } {
  const last = (label: string): number => {
    const matches = [
      ...stdout.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g')),
    ];
    return Number(matches.at(-1)?.[1] ?? 0);
  };
  return { successful: last('Successful call'), failed: last('Failed call') };
}

function run(
  command: string,
  args: string[],
  cwd: string,
  killAfterMs: number,
): {
  pid: number | undefined;
  exited: Promise<{ exitCode: number; stdout: string; stderr: string }>;
  interrupt(): void;
} {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ exitCode: number; stdout: string; stderr: string }>((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Backstop only: SIPp's own -timeout (or an interrupt) ends the run first.
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', (error) => {
      clearTimeout(killer);
      fail(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      done({ exitCode: code ?? (signal !== null ? 128 : -1), stdout, stderr });
    });
  });
  return {
    pid: child.pid,
    exited,
    interrupt: () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      // SIPp may wait for open calls after an interrupt; do not let it linger.
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    },
  };
}

/**
 * `count` consecutive ports, each free for UDP and TCP on loopback right now, and not handed
 * out again by this process (runSipp releases the ports it reserved itself when it ends).
 */
export async function reservePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await ephemeralUdpPort();
    if (first + count > 65535) continue;
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (ports.some((port) => reserved.has(port))) continue;
    const free = await Promise.all(
      ports.map(async (port) => (await udpFree(port)) && (await tcpFree(port))),
    );
    if (free.every(Boolean)) {
      for (const port of ports) reserved.add(port);
      return first;
    }
  }
  throw new Error(`no block of ${count} free ports found`);
}

function ephemeralUdpPort(): Promise<number> {
  return new Promise((done, fail) => {
    const socket = createSocket('udp4');
    socket.once('error', fail);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => done(port));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createSocket('udp4');
    socket.once('error', () => done(false));
    socket.bind(port, () => socket.close(() => done(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, () => server.close(() => done(true)));
  });
}
