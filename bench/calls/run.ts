// npm run bench:calls [-- --smoke] [-- --seconds S --rates 100,200,... --only ours|kamailio]
//
// Highest clean call rate of Kamailio (a stateful, record-routing proxy with a per-number
// htable lookup) and of our feature server (a B2BUA), measured in one run: SIPp caller →
// server → SIPp callee, for a plain call and for a call to a busy number forwarded on busy.
// Each server is pinned to CPU 0, SIPp (caller and callees) to CPU 1; the rate is stepped up
// until a step has more than 0.1 % failed calls or a p99 INVITE→180 above 50 ms. Then, for our
// server, the memory it spends per open call.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { reservePorts, runSipp, startSipp, type RunningSipp } from '../../test/helpers/sipp.ts';
import { featureServerExists, featureServerMain } from '../register/feature-server.ts';
import {
  formatStep,
  judgeStep,
  stepStatsOf,
  statsSeries,
  type Step,
} from '../register/sipp-stats.ts';
import { withCpuShare } from './cpu.ts';
import { memoryPerCall, rssKiB, sampleRss, type MemoryPerCall } from './memory.ts';
import { calledNumbersCsv, numberPlan, registrationCsv } from './number-plan.ts';
import {
  cases,
  report,
  summarise,
  type Case,
  type CaseResult,
  type ServerResult,
} from './report.ts';
import { startKamailioPeer, startOurs, type CallSetup, type Ports } from './servers-under-test.ts';

const bounds = { maxFailureShare: 0.001, maxP99Ms: 50 };
const scenario = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const uac = scenario('./uac.xml');
const uas = scenario('./uas.xml');
const uasBusy = scenario('./uas-busy.xml');
const resultsDir = scenario('../results/');

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    rates: { type: 'string' },
    only: { type: 'string' },
    'no-memory': { type: 'boolean', default: false },
  },
});
// `npm run bench:calls -- --smoke` may reach us as npm config (npm_config_smoke) when the root
// script forwards its arguments to a second `npm run`.
const npmFlag = (name: string): string | undefined => process.env[`npm_config_${name}`];
const smoke = flags.smoke === true || npmFlag('smoke') === 'true';
const stepSeconds = Number(flags.seconds ?? npmFlag('seconds') ?? (smoke ? 2 : 5));
const only = flags.only ?? npmFlag('only');
const rates = (
  flags.rates ??
  npmFlag('rates') ??
  (smoke ? '20' : '100,200,400,600,800,1000,1200,1500,2000,2500,3000')
)
  .split(',')
  .map(Number);
const measureMemory = !smoke && flags['no-memory'] !== true && npmFlag('no_memory') !== 'true';
/** How long an established call lasts before the caller hangs up, during the rate steps. */
const callPauseMs = 200;
const warmup = smoke ? { rate: 10, seconds: 1 } : { rate: 200, seconds: 3 };
/** Memory phase: calls held this long at this rate, so about rate × hold calls are open. */
const memory = { rate: 100, holdSeconds: 20, plateauSeconds: 10 };

const plan = numberPlan(100, 10);

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-calls-'));
  const csv = {
    plain: join(dir, 'plain.csv'),
    'busy-forwarded': join(dir, 'busy.csv'),
    registerCallees: join(dir, 'register-callees.csv'),
    registerBusy: join(dir, 'register-busy.csv'),
  };
  await writeFile(csv.plain, calledNumbersCsv(plan.callees));
  await writeFile(csv['busy-forwarded'], calledNumbersCsv(plan.busy));
  await writeFile(csv.registerCallees, registrationCsv(plan.callees));
  await writeFile(csv.registerBusy, registrationCsv(plan.busy));
  console.log(
    `bench:calls: ${plan.callees.length} callee numbers, ${plan.busy.length} busy numbers forwarding on busy; ` +
      `steps of ${stepSeconds} s at ${rates.join(', ')} calls/s, each call ${callPauseMs} ms long`,
  );
  console.log(
    `clean step: failed calls <= ${bounds.maxFailureShare * 100} % and p99 INVITE->180 < ${bounds.maxP99Ms} ms\n`,
  );

  // The machine is shared: the load around the run says how far to trust it.
  const loadBefore = loadavg();
  const results: ServerResult[] = [];
  try {
    if (only !== 'ours') {
      results.push(await measure('kamailio', (ports) => startKamailioPeer(dir, ports, plan), csv));
    }
    if (only !== 'kamailio') {
      results.push(
        (await featureServerExists())
          ? await measure('ours', (ports) => startOurs(dir, ports, plan, csv), csv)
          : {
              server: 'ours',
              status: 'not-ready',
              reason: `${featureServerMain} does not exist yet`,
              cases: [],
            },
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const summary = summarise(results);
  report(results, summary, rates[0] ?? 0);
  await mkdir(resultsDir, { recursive: true });
  const file = join(
    resultsDir,
    `calls-${new Date().toISOString().replaceAll(':', '-')}${smoke ? '-smoke' : ''}.json`,
  );
  const json = {
    command: `npm run bench:calls -- ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
    stepSeconds,
    rates,
    callPauseMs,
    bounds,
    loadAverage: { before: loadBefore, after: loadavg() },
    summary,
    results,
  };
  await writeFile(file, JSON.stringify(json, null, 2) + '\n');
  console.log('\n' + JSON.stringify({ summary }, null, 2));
  console.log(
    `load average (1 min) before ${loadBefore[0]?.toFixed(2)}, after ${json.loadAverage.after[0]?.toFixed(2)} on ${availableParallelism()} CPUs`,
  );
  console.log(`full results written to ${file}`);

  // Non-zero when the harness broke or a server that routes calls failed them; in a smoke run
  // (a low rate) any failed call counts, a slow step does not.
  const broken = results.some(
    (r) =>
      r.status === 'failed' ||
      (r.server === 'kamailio' && r.status !== 'measured') ||
      (smoke && r.cases.some((c) => c.steps.some((s) => s.failed > 0))),
  );
  return broken ? 1 : 0;
}

async function measure(
  server: ServerResult['server'],
  start: (ports: Ports) => Promise<CallSetup>,
  csv: Record<Case, string>,
): Promise<ServerResult> {
  const ports: Ports = {
    server: await reservePorts(1),
    callee: await reservePorts(1),
    busy: await reservePorts(1),
    caller: await reservePorts(1),
  };
  let setup: CallSetup;
  try {
    setup = await start(ports);
  } catch (error) {
    return { server, status: 'failed', reason: String(error), cases: [] };
  }
  const callees: RunningSipp[] = [];
  try {
    callees.push(await startCallee(uas, ports.callee), await startCallee(uasBusy, ports.busy));
    const probe = await probeCall(setup, csv.plain);
    if (probe !== undefined) {
      // A server without call routing answers INVITE with 405 or 501: not ready, not broken.
      const notReady = server === 'ours' && /received 'SIP\/2\.0 (405|501) /.test(probe);
      return {
        server,
        status: notReady ? 'not-ready' : 'failed',
        reason: `one test call failed: ${probe}`,
        cases: [],
      };
    }
    for (const c of cases) await runStep(setup, csv[c], warmup.rate, warmup.seconds);
    const memoryResult =
      measureMemory && setup.server.pid !== undefined
        ? await measureMemoryPerCall(setup, setup.server.pid, csv.plain)
        : undefined;
    const results: CaseResult[] = [];
    for (const c of cases) results.push(await stepUp(server, c, setup, csv[c]));
    return {
      server,
      status: 'measured',
      cases: results,
      ...(memoryResult !== undefined ? { memory: memoryResult } : {}),
    };
  } finally {
    await Promise.all(callees.map((c) => c.stop()));
    await setup.server.stop();
  }
}

async function stepUp(
  server: string,
  c: Case,
  setup: CallSetup,
  csvFile: string,
): Promise<CaseResult> {
  const steps: Step[] = [];
  for (const rate of rates) {
    const step = await runStep(setup, csvFile, rate, stepSeconds);
    steps.push(step);
    console.log(formatStep(`${server} ${c}`.padEnd(24), step));
    if (!step.clean) break;
  }
  const best = steps.filter((s) => s.clean).at(-1);
  return { case: c, steps, ...(best !== undefined ? { best } : {}) };
}

async function runStep(
  setup: CallSetup,
  csvFile: string,
  rate: number,
  seconds: number,
): Promise<Step> {
  const calls = rate * seconds;
  const { result, cpuPercent } = await withCpuShare(setup.server.pid, () =>
    runSipp({
      scenario: uac,
      target: `127.0.0.1:${setup.port}`,
      transport: 'u1',
      injectionFile: csvFile,
      calls,
      rate,
      pauseMs: callPauseMs,
      sipPort: setup.callerPort,
      cpus: '1',
      stats: true,
      // A step that cannot keep up must not run for ever: three times its length at most.
      timeoutMs: seconds * 3000 + 10_000,
      extraArgs: [
        // Open calls allowed: three seconds' worth, far above rate × (call length + p99 bound),
        // so the limit never hides slowness.
        '-l',
        String(Math.max(200, rate * 3)),
        // A call whose answer is lost ends as failed after this long.
        '-recv_timeout',
        '2000',
      ],
    }),
  );
  const stats = stepStatsOf(result);
  const step = judgeStep(rate, calls, stats, result.errors, bounds);
  return cpuPercent !== undefined ? { ...step, serverCpuPercent: Math.round(cpuPercent) } : step;
}

/** One call before anything is measured; undefined when it went through, else why not. */
async function probeCall(setup: CallSetup, csvFile: string): Promise<string | undefined> {
  const result = await runSipp({
    scenario: uac,
    target: `127.0.0.1:${setup.port}`,
    transport: 'u1',
    injectionFile: csvFile,
    calls: 1,
    pauseMs: 0,
    sipPort: setup.callerPort,
    timeoutMs: 10_000,
    extraArgs: ['-recv_timeout', '3000'],
  });
  if (result.exitCode === 0 && result.successful === 1) return undefined;
  return (
    result.errors.split('\n').slice(1, 8).join('\n').slice(0, 800) ||
    `SIPp exit ${result.exitCode}: ${result.stderr.slice(0, 400)}`
  );
}

/** A SIPp UAS answering every call on `port` until stopped (same CPU as the caller). */
async function startCallee(scenarioFile: string, port: number): Promise<RunningSipp> {
  return startSipp({
    scenario: scenarioFile,
    transport: 'u1',
    sipPort: port,
    calls: Infinity,
    cpus: '1',
    timeoutMs: 3_600_000,
  });
}

/**
 * Calls held open `memory.holdSeconds` at `memory.rate`, so about rate × hold calls are open for
 * `memory.plateauSeconds`; the RSS then, less the RSS before, per open call.
 */
async function measureMemoryPerCall(
  setup: CallSetup,
  pid: number,
  csvFile: string,
): Promise<MemoryPerCall | undefined> {
  const idleKiB = await rssKiB(pid);
  const sampler = sampleRss(pid, 500);
  const seconds = memory.holdSeconds + memory.plateauSeconds;
  const result = await runSipp({
    scenario: uac,
    target: `127.0.0.1:${setup.port}`,
    transport: 'u1',
    injectionFile: csvFile,
    calls: memory.rate * seconds,
    rate: memory.rate,
    pauseMs: memory.holdSeconds * 1000,
    sipPort: setup.callerPort,
    cpus: '1',
    stats: true,
    timeoutMs: (seconds + memory.holdSeconds) * 1000 + 30_000,
    extraArgs: ['-l', String(memory.rate * (memory.holdSeconds + 5)), '-recv_timeout', '5000'],
  });
  const rss = await sampler.stop();
  const open = result.statsCsv !== undefined ? statsSeries(result.statsCsv, 'CurrentCall') : [];
  const figure = memoryPerCall(idleKiB, rss, open);
  console.log(
    figure === undefined
      ? `memory: no plateau of open calls seen (SIPp exit ${result.exitCode}, ${result.failed} failed)`
      : `memory: ${figure.openCalls} calls open, RSS ${(figure.idleKiB / 1024).toFixed(1)} MiB idle -> ` +
          `${(figure.plateauKiB / 1024).toFixed(1)} MiB: ${figure.kibPerCall.toFixed(1)} KiB per call` +
          (result.failed > 0 ? ` (${result.failed} calls failed)` : ''),
  );
  return figure;
}

process.exitCode = await main();
