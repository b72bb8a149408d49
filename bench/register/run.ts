// npm run bench:register [-- --smoke] [-- --users N --seconds S --rates 500,1000,...]
//
// Highest clean authenticated-REGISTER rate of Kamailio and of our feature server, measured in
// one run: each server pinned to CPU 0, SIPp to CPU 1, the rate stepped up until a step has more
// than 0.1 % failed calls or a p99 above 50 ms (RFC 7502's session establishment rate in spirit).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSipp } from '../../test/helpers/sipp.ts';
import { startKamailio, type Credential } from '../kamailio/kamailio.ts';
import {
  featureServerExists,
  featureServerMain,
  startFeatureServer,
  type RunningServer,
} from './feature-server.ts';
import { formatStep, judgeStep, stepStatsOf, type Step } from './sipp-stats.ts';

const maxFailureShare = 0.001;
const maxP99Ms = 50;
const warmupRate = 1000;
const scenario = fileURLToPath(new URL('./register.xml', import.meta.url));
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    users: { type: 'string' },
    seconds: { type: 'string' },
    rates: { type: 'string' },
    only: { type: 'string' },
  },
});
// `npm run bench:register -- --smoke` reaches us as npm config (npm_config_smoke), because the
// root script forwards its arguments to a second `npm run`.
const npmFlag = (name: string): string | undefined => process.env[`npm_config_${name}`];
const smoke = flags.smoke === true || npmFlag('smoke') === 'true';
const users = Number(flags.users ?? npmFlag('users') ?? (smoke ? 200 : 10_000));
const stepSeconds = Number(flags.seconds ?? npmFlag('seconds') ?? (smoke ? 2 : 5));
const warmupSeconds = smoke ? 1 : 4;
const only = flags.only ?? npmFlag('only');
const rates = (
  flags.rates ??
  npmFlag('rates') ??
  (smoke ? '100' : '500,1000,2000,3000,4000,6000,8000,10000,12000')
)
  .split(',')
  .map(Number);

interface ServerResult {
  server: 'kamailio' | 'ours';
  status: 'measured' | 'not-ready' | 'failed-to-start';
  reason?: string;
  steps: Step[];
  best?: Step;
}

const credentials: Credential[] = Array.from({ length: users }, (_, i) => ({
  aorUser: `03${String(i).padStart(8, '0')}`,
  sipId: `bench${i}`,
  password: `password${i}`,
}));

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-register-'));
  const usersCsv = join(dir, 'users.csv');
  await writeFile(
    usersCsv,
    'SEQUENTIAL\n' +
      credentials
        .map((c) => `${c.aorUser};[authentication username=${c.sipId} password=${c.password}]\n`)
        .join(''),
  );
  console.log(
    `bench:register: ${users} subscribers, steps of ${stepSeconds} s at ${rates.join(', ')} REGISTER/s`,
  );
  console.log(`clean step: failed calls <= ${maxFailureShare * 100} % and p99 < ${maxP99Ms} ms\n`);

  const results: ServerResult[] = [];
  let harnessBroken = false;
  try {
    if (only !== 'ours') {
      const result = await measure('kamailio', usersCsv, async (port) => {
        const running = await startKamailio({
          dir: join(dir, 'kamailio'),
          port,
          credentials,
          cpus: '0',
        });
        return running;
      });
      results.push(result);
      if (result.status !== 'measured') harnessBroken = true;
    }
    if (only !== 'kamailio') {
      if (!(await featureServerExists())) {
        results.push({
          server: 'ours',
          status: 'not-ready',
          reason: `${featureServerMain} does not exist yet`,
          steps: [],
        });
      } else {
        const httpPort = await freePort();
        results.push(
          await measure('ours', usersCsv, (port) =>
            startFeatureServer({
              dir: join(dir, 'ours'),
              port,
              httpPort,
              credentials,
              cpus: '0',
              startTimeoutMs: 120_000,
            }),
          ),
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  report(results);
  await mkdir(resultsDir, { recursive: true });
  const file = join(
    resultsDir,
    `register-${new Date().toISOString().replaceAll(':', '-')}${smoke ? '-smoke' : ''}.json`,
  );
  const ours = results.find((r) => r.server === 'ours')?.best?.rate;
  const theirs = results.find((r) => r.server === 'kamailio')?.best?.rate;
  await writeFile(
    file,
    JSON.stringify(
      {
        command: `npm run bench:register -- ${process.argv.slice(2).join(' ')}`.trim(),
        date: new Date().toISOString(),
        users,
        stepSeconds,
        rates,
        bounds: { maxFailureShare, maxP99Ms },
        results,
        ratio: ours !== undefined && theirs !== undefined ? ours / theirs : null,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nsummary written to ${file}`);
  return harnessBroken ? 1 : 0;
}

async function measure(
  server: ServerResult['server'],
  usersCsv: string,
  start: (port: number) => Promise<RunningServer>,
): Promise<ServerResult> {
  const port = await freePort();
  let running: RunningServer;
  try {
    running = await start(port);
  } catch (error) {
    return { server, status: 'failed-to-start', reason: String(error), steps: [] };
  }
  const steps: Step[] = [];
  try {
    // Warm-up, not counted: V8 compiles the hot paths and caches fill on the first calls,
    // which is start-up cost, not sustained rate. Both servers get the same warm-up.
    // Twice: each SIPp run starts the subscriber list from the top, so the second pass
    // warms the refresh path (a binding already there) that every measured step takes.
    await runStep(port, usersCsv, warmupRate, warmupSeconds);
    await runStep(port, usersCsv, warmupRate, warmupSeconds);
    for (const rate of rates) {
      const step = await runStep(port, usersCsv, rate);
      steps.push(step);
      console.log(formatStep(server, step));
      if (!step.clean) break;
    }
  } finally {
    await running.stop();
  }
  const best = steps.filter((s) => s.clean).at(-1);
  return { server, status: 'measured', steps, ...(best !== undefined ? { best } : {}) };
}

async function runStep(
  port: number,
  usersCsv: string,
  rate: number,
  seconds = stepSeconds,
): Promise<Step> {
  const calls = rate * seconds;
  const result = await runSipp({
    scenario,
    target: `127.0.0.1:${port}`,
    transport: 'u1',
    injectionFile: usersCsv,
    calls,
    rate,
    cpus: '1',
    stats: true,
    // A step that cannot keep up must not run for ever: three times its length at most.
    timeoutMs: seconds * 3000 + 10_000,
    extraArgs: [
      // Open calls allowed: far above rate x p99 bound, so the limit never hides slowness.
      '-l',
      String(Math.max(100, rate)),
      // A call whose answer is lost ends as failed after this long.
      '-recv_timeout',
      '2000',
    ],
  });
  const stats = stepStatsOf(result);
  return judgeStep(rate, calls, stats, result.errors, { maxFailureShare, maxP99Ms });
}

function report(results: ServerResult[]): void {
  console.log('\nhighest clean rate (REGISTER -> 401 -> REGISTER -> 200 per call):');
  for (const r of results) {
    if (r.status !== 'measured') {
      console.log(`  ${r.server.padEnd(9)} ${r.status}: ${r.reason ?? ''}`.slice(0, 400));
    } else if (r.best === undefined) {
      console.log(
        `  ${r.server.padEnd(9)} no clean step (lowest rate ${rates[0]}/s already failed)`,
      );
    } else {
      console.log(
        `  ${r.server.padEnd(9)} ${r.best.rate}/s  p50 < ${r.best.p50Ms} ms  p99 < ${r.best.p99Ms} ms`,
      );
    }
  }
  const ours = results.find((r) => r.server === 'ours')?.best?.rate;
  const theirs = results.find((r) => r.server === 'kamailio')?.best?.rate;
  if (ours !== undefined && theirs !== undefined) {
    console.log(`  ratio ours/kamailio: ${(ours / theirs).toFixed(2)}`);
  } else {
    console.log('  ratio ours/kamailio: n/a (a side has no clean step)');
  }
}

/** A loopback port free for both UDP and TCP. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const socket = createSocket('udp4');
      socket.once('error', fail);
      socket.bind(0, '127.0.0.1', () => {
        const bound = socket.address().port;
        socket.close(() => done(bound));
      });
    });
    const tcpFree = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (tcpFree) return port;
  }
}

process.exitCode = await main();
