// npm run bench:calls [-- --smoke] [-- --seconds S --rates 100,200,... --only ours|kamailio]
//
// Highest clean call rate of Kamailio (a stateful, record-routing proxy with a per-number
// htable lookup) and of our feature server (a B2BUA), measured in one run: SIPp caller →
// server → SIPp callee, for a plain call, a call to a busy number forwarded on busy, a call
// the called number screens out (guidance, then 603) and a call to a round-robin hunt group.
// Each server is pinned to CPU 0, SIPp (caller and callees) to CPU 1; the rate is stepped up
// until a step has more than 0.1 % failed calls or a p99 INVITE→180 (INVITE→183 or →603 when
// screened) above 50 ms. Then, for our server, the memory it spends per open call.
import { createSocket } from 'node:dgram';
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
  parseSippStats,
  stepStatsOf,
  statsSeries,
} from '../register/sipp-stats.ts';
import { withCpuShare } from './cpu.ts';
import { memoryPerCall, rssKiB, sampleRss, type MemoryPerCall } from './memory.ts';
import { calledNumbersCsv, huntNumbers, numberPlan, registrationCsv } from './number-plan.ts';
import {
  cases,
  report,
  summarise,
  type Case,
  type CallStep,
  type CaseResult,
  type ServerResult,
} from './report.ts';
import { startKamailioPeer, startOurs, type CallSetup, type Ports } from './servers-under-test.ts';

const bounds = { maxFailureShare: 0.001, maxP99Ms: 50 };
const scenario = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const uac = scenario('./uac.xml');
const uas = scenario('./uas.xml');
const uasBusy = scenario('./uas-busy.xml');
const uacScreened = scenario('./uac-screened.xml');
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
/**
 * The longest a screened call's guidance may take (183 → 603) before the call counts as
 * failed; the prompts are a few seconds (packages/media/prompts).
 */
const guidanceLimitSeconds = 15;

const plan = numberPlan({ callees: 100, busy: 10, screened: 10, huntMembers: 10 });

/** How the caller runs each case: its scenario, and how long one call stays open at most. */
interface CaseCall {
  scenario: string;
  /** Seconds a call may stay open beyond the response times: sizes -l and the step timeout. */
  openSeconds: number;
}
const caseCalls: Record<Case, CaseCall> = {
  plain: { scenario: uac, openSeconds: 3 },
  'busy-forwarded': { scenario: uac, openSeconds: 3 },
  // The guidance plays for seconds while the call is open.
  screened: { scenario: uacScreened, openSeconds: guidanceLimitSeconds },
  hunt: { scenario: uac, openSeconds: 3 },
};
/** The cases measured before the memory phase, warmed up together as they always were. */
const firstCases: Case[] = ['plain', 'busy-forwarded'];

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-calls-'));
  const csv = {
    plain: join(dir, 'plain.csv'),
    'busy-forwarded': join(dir, 'busy.csv'),
    screened: join(dir, 'screened.csv'),
    hunt: join(dir, 'hunt.csv'),
    registerCallees: join(dir, 'register-callees.csv'),
    registerBusy: join(dir, 'register-busy.csv'),
  };
  await writeFile(csv.plain, calledNumbersCsv(plan.callees));
  await writeFile(csv['busy-forwarded'], calledNumbersCsv(plan.busy));
  await writeFile(csv.screened, calledNumbersCsv(plan.screened));
  await writeFile(csv.hunt, calledNumbersCsv([plan.hunt.pilot]));
  await writeFile(csv.registerCallees, registrationCsv(plan.callees));
  await writeFile(csv.registerBusy, registrationCsv(plan.busy));
  console.log(
    `bench:calls: ${plan.callees.length} callee numbers, ${plan.busy.length} busy numbers forwarding on busy, ` +
      `${plan.screened.length} numbers blocking the caller, a hunt group of ${huntNumbers(plan).length}; ` +
      `steps of ${stepSeconds} s at ${rates.join(', ')} calls/s, each answered call ${callPauseMs} ms long`,
  );
  console.log(
    `clean step: failed calls <= ${bounds.maxFailureShare * 100} % and p99 INVITE->180 ` +
      `(screened: INVITE->183, or ->603 without guidance) < ${bounds.maxP99Ms} ms\n`,
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
      // A case whose test call failed: the server does not do what the case measures.
      r.cases.some((c) => c.status === 'failed') ||
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
    hunt: consecutive(await reservePorts(huntNumbers(plan).length), huntNumbers(plan).length),
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
    const probe = await probeCall(setup, 'plain', csv.plain);
    if (probe.failure !== undefined) {
      // A server without call routing answers INVITE with 405 or 501: not ready, not broken.
      const notReady = server === 'ours' && /received 'SIP\/2\.0 (405|501) /.test(probe.failure);
      return {
        server,
        status: notReady ? 'not-ready' : 'failed',
        reason: `one test call failed: ${probe.failure}`,
        cases: [],
      };
    }
    for (const c of firstCases) await runStep(setup, c, csv[c], warmup.rate, warmup.seconds);
    const memoryResult =
      measureMemory && setup.server.pid !== undefined
        ? await measureMemoryPerCall(setup, setup.server.pid, csv.plain)
        : undefined;
    const results: CaseResult[] = [];
    for (const c of cases) {
      results.push(
        c === 'hunt'
          ? await measureHunt(server, setup, ports, csv.hunt)
          : await measureCase(server, c, setup, csv[c]),
      );
    }
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

/**
 * One case: for those after the memory phase a test call (a case the server does not handle
 * as expected is reported, not stepped) and a warm-up at the lowest rate; then the steps.
 */
async function measureCase(
  server: ServerResult['server'],
  c: Case,
  setup: CallSetup,
  csvFile: string,
): Promise<CaseResult> {
  let probeRtp: CaseResult['probeRtp'];
  if (!firstCases.includes(c)) {
    const probe = await probeCall(setup, c, csvFile);
    probeRtp = probe.rtp;
    // Our server must play the guidance, not just refuse: its test call must hear RTP.
    const silent = c === 'screened' && server === 'ours' && (probe.rtp?.packets ?? 0) === 0;
    if (probe.failure !== undefined || silent) {
      const reason = probe.failure ?? 'no RTP reached the caller: the guidance was not played';
      console.log(`${`${server} ${c}`.padEnd(24)} test call failed: ${reason}`);
      return {
        case: c,
        status: 'failed',
        reason: `one test call failed: ${reason}`,
        steps: [],
        ...(probeRtp !== undefined ? { probeRtp } : {}),
      };
    }
    // Below the first step: a case whose calls last seconds must not start overloaded.
    await runStep(
      setup,
      c,
      csvFile,
      Math.min(warmup.rate, rates[0] ?? warmup.rate),
      warmup.seconds,
    );
  }
  const result = await stepUp(server, c, setup, csvFile);
  return probeRtp !== undefined ? { ...result, probeRtp } : result;
}

/** The hunt case, with one UAS per hunt group number answering while it runs. */
async function measureHunt(
  server: ServerResult['server'],
  setup: CallSetup,
  ports: Ports,
  csvFile: string,
): Promise<CaseResult> {
  const members = await Promise.all(ports.hunt.map((port) => startCallee(uas, port, true)));
  let result: CaseResult;
  try {
    result = await measureCase(server, 'hunt', setup, csvFile);
  } finally {
    const done = await Promise.all(members.map((m) => m.stop()));
    // Each UAS's own count says whether the calls went round the group.
    const answered = done.map((d) =>
      d.statsCsv !== undefined
        ? (parseSippStats(d.statsCsv)?.successful ?? d.successful)
        : d.successful,
    );
    result ??= { case: 'hunt', status: 'failed', reason: 'interrupted', steps: [] };
    result.answeredPerMember = answered;
  }
  return result;
}

function consecutive(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

async function stepUp(
  server: string,
  c: Case,
  setup: CallSetup,
  csvFile: string,
): Promise<CaseResult> {
  const steps: CallStep[] = [];
  for (const rate of rates) {
    const step = await runStep(setup, c, csvFile, rate, stepSeconds);
    steps.push(step);
    const extra =
      c === 'screened'
        ? `  open <= ${step.peakOpenCalls ?? '-'}` +
          (step.guidanceMs !== undefined
            ? `  183->603 ${(step.guidanceMs / 1000).toFixed(2)} s`
            : '')
        : '';
    console.log(formatStep(`${server} ${c}`.padEnd(24), step) + extra);
    if (!step.clean) break;
  }
  const best = steps.filter((s) => s.clean).at(-1);
  return { case: c, status: 'measured', steps, ...(best !== undefined ? { best } : {}) };
}

async function runStep(
  setup: CallSetup,
  c: Case,
  csvFile: string,
  rate: number,
  seconds: number,
): Promise<CallStep> {
  const calls = rate * seconds;
  const { scenario: scenarioFile, openSeconds } = caseCalls[c];
  // A screened caller's RTP goes to a port of its own SIPp that nobody reads (its -mp).
  const media = c === 'screened' ? await reservePorts(4) : undefined;
  const { result, cpuPercent } = await withCpuShare(setup.server.pid, () =>
    runSipp({
      scenario: scenarioFile,
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
      timeoutMs: seconds * 3000 + 10_000 + (c === 'screened' ? openSeconds * 1000 : 0),
      ...(media !== undefined ? { vars: { rtp_port: String(media) } } : {}),
      extraArgs: [
        // Open calls allowed: far above rate × (call length + p99 bound), so the limit never
        // hides slowness; three seconds' worth for calls of 200 ms.
        '-l',
        String(Math.max(200, rate * openSeconds)),
        // A call whose answer is lost ends as failed after this long.
        '-recv_timeout',
        '2000',
        ...(media !== undefined ? ['-mp', String(media)] : []),
      ],
    }),
  );
  const stats = stepStatsOf(result);
  const step: CallStep = judgeStep(rate, calls, stats, result.errors, bounds);
  const open = result.statsCsv !== undefined ? statsSeries(result.statsCsv, 'CurrentCall') : [];
  if (open.length > 0) step.peakOpenCalls = Math.max(...open.map((o) => o.value));
  const guidanceMs = c === 'screened' ? meanResponseTimeMs(result.statsCsv, 2) : undefined;
  if (guidanceMs !== undefined) step.guidanceMs = guidanceMs;
  if (cpuPercent !== undefined) step.serverCpuPercent = Math.round(cpuPercent);
  return step;
}

/**
 * SIPp's mean of response time `n` over the run (`ResponseTime<n>(C)`, "HH:MM:SS:micros"),
 * from the statistics' last line; undefined when none was timed.
 */
function meanResponseTimeMs(csv: string | undefined, n: number): number | undefined {
  const lines = (csv ?? '').split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.split(';');
  const index = header?.indexOf(`ResponseTime${n}(C)`) ?? -1;
  const value = index < 0 ? undefined : lines.at(-1)?.split(';')[index];
  const parts = /^(\d+):(\d+):(\d+):(\d+)$/.exec(value ?? '');
  if (parts === null) return undefined;
  const [, h, m, sec, micros] = parts.map(Number) as [number, number, number, number, number];
  const ms = ((h * 60 + m) * 60 + sec) * 1000 + micros / 1000;
  return ms > 0 ? Math.round(ms) : undefined;
}

interface Probe {
  /** Undefined when the call went as the case expects, else why not. */
  failure?: string;
  /** Screened calls: the RTP the test's own port received. */
  rtp?: { packets: number; spanMs: number };
}

/** One call before anything is measured; for a screened call, its RTP is counted. */
async function probeCall(setup: CallSetup, c: Case, csvFile: string): Promise<Probe> {
  const counter = c === 'screened' ? await rtpCounter() : undefined;
  try {
    const result = await runSipp({
      scenario: caseCalls[c].scenario,
      target: `127.0.0.1:${setup.port}`,
      transport: 'u1',
      injectionFile: csvFile,
      calls: 1,
      pauseMs: 0,
      sipPort: setup.callerPort,
      timeoutMs: 10_000 + (c === 'screened' ? guidanceLimitSeconds * 1000 : 0),
      ...(counter !== undefined ? { vars: { rtp_port: String(counter.port) } } : {}),
      extraArgs: ['-recv_timeout', '3000'],
    });
    const rtp = counter?.read();
    const failure =
      result.exitCode === 0 && result.successful === 1
        ? undefined
        : result.errors.split('\n').slice(1, 8).join('\n').slice(0, 800) ||
          `SIPp exit ${result.exitCode}: ${result.stderr.slice(0, 400)}`;
    return { ...(failure !== undefined ? { failure } : {}), ...(rtp !== undefined ? { rtp } : {}) };
  } finally {
    await counter?.close();
  }
}

/** A UDP port on loopback that counts the datagrams it receives (one test call's RTP). */
async function rtpCounter(): Promise<{
  port: number;
  read(): { packets: number; spanMs: number };
  close(): Promise<void>;
}> {
  const socket = createSocket('udp4');
  let packets = 0;
  let first = 0;
  let last = 0;
  socket.on('message', () => {
    last = performance.now();
    if (packets++ === 0) first = last;
  });
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
  return {
    port: socket.address().port,
    read: () => ({ packets, spanMs: Math.round(last - first) }),
    close: () => new Promise((done) => socket.close(() => done())),
  };
}

/**
 * A SIPp UAS answering every call on `port` until stopped (same CPU as the caller); with
 * `stats`, its statistics say how many calls it answered.
 */
async function startCallee(
  scenarioFile: string,
  port: number,
  stats = false,
): Promise<RunningSipp> {
  return startSipp({
    scenario: scenarioFile,
    transport: 'u1',
    sipPort: port,
    calls: Infinity,
    cpus: '1',
    timeoutMs: 3_600_000,
    stats,
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
