// The servers under test, each set up to take the benchmark's calls: Kamailio with the number
// plan in its htable tables and dispatcher list, ours with it provisioned and the callees
// registered.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reservePorts, runSipp } from '../../test/helpers/sipp.ts';
import { kamailioCallsConfig, startKamailio } from '../kamailio/kamailio.ts';
import {
  provisioningYaml,
  startFeatureServer,
  type RunningServer,
} from '../register/feature-server.ts';
import {
  benchCaller,
  huntNumbers,
  kamailioDispatcherList,
  kamailioTables,
  registrationCsv,
  type NumberPlan,
} from './number-plan.ts';

const register = fileURLToPath(new URL('../register/register.xml', import.meta.url));

export interface Ports {
  server: number;
  /** The callee UAS answering calls. */
  callee: number;
  /** The callee UAS answering every call 486. */
  busy: number;
  /** One UAS per hunt group number (pilot first), each its own device. */
  hunt: number[];
  /** The caller: our server trusts it as a trunk by this port. */
  caller: number;
}

/** A server under test with its callees registered (or routed to) and answering. */
export interface CallSetup {
  port: number;
  callerPort: number;
  server: RunningServer;
}

export async function startKamailioPeer(
  dir: string,
  ports: Ports,
  plan: NumberPlan,
): Promise<CallSetup> {
  const dispatcherList = join(dir, 'dispatcher.list');
  await writeFile(dispatcherList, kamailioDispatcherList(plan, ports));
  const server = await startKamailio({
    dir: join(dir, 'kamailio'),
    port: ports.server,
    config: kamailioCallsConfig,
    tables: kamailioTables(plan, ports),
    defines: { DSLIST: dispatcherList },
    cpus: '0',
  });
  return { port: ports.server, callerPort: ports.caller, server };
}

export async function startOurs(
  dir: string,
  ports: Ports,
  plan: NumberPlan,
  csv: { registerCallees: string; registerBusy: string },
): Promise<CallSetup> {
  const server = await startFeatureServer({
    dir: join(dir, 'ours'),
    port: ports.server,
    httpPort: await reservePorts(1),
    provisioning: provisioningYaml(
      [...plan.callees, ...plan.busy, ...plan.screened, ...huntNumbers(plan)],
      {
        channels: 10_000,
        busyForwarding: plan.busyForwarding,
        nuisanceBlocking: new Map(plan.screened.map((c) => [c.aorUser, [benchCaller]])),
        huntGroups: [
          { pilot: plan.hunt.pilot.aorUser, members: plan.hunt.members.map((m) => m.aorUser) },
        ],
      },
    ),
    config: oursConfig(ports.caller),
    cpus: '0',
    startTimeoutMs: 120_000,
  });
  try {
    // Each callee SIPp registers its numbers from the port it will answer on, so the binding's
    // flow (where INVITEs go, README "Phones behind NAT") is that UAS.
    await registerNumbers(ports.server, csv.registerCallees, plan.callees, ports.callee);
    await registerNumbers(ports.server, csv.registerBusy, plan.busy, ports.busy);
    // The screened numbers have a device too (the answering UAS): were one rung, the caller
    // would see 180 and fail.
    const screenedCsv = join(dir, 'register-screened.csv');
    await writeFile(screenedCsv, registrationCsv(plan.screened));
    await registerNumbers(ports.server, screenedCsv, plan.screened, ports.callee);
    // Each hunt group number from its own UAS's port: ten devices, ten flows.
    const hunt = huntNumbers(plan);
    for (const [i, member] of hunt.entries()) {
      const memberCsv = join(dir, `register-hunt-${i + 1}.csv`);
      await writeFile(memberCsv, registrationCsv([member]));
      await registerNumbers(ports.server, memberCsv, [member], ports.hunt[i] as number);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { port: ports.server, callerPort: ports.caller, server };
}

/**
 * The caller is a trusted trunk (its INVITEs are not challenged; Kamailio challenges nothing
 * either). No UDP keep-alive OPTIONS: the callee SIPps would not answer them, and Kamailio
 * sends none. Via/Contact on loopback, where everything runs.
 */
function oursConfig(callerPort: number): string {
  return [
    'sip:',
    '  advertisedHost: 127.0.0.1',
    'registrar:',
    '  udpKeepalive: { mode: none, interval: 25 }',
    'calls:',
    '  trunks:',
    `    - { name: bench-caller, address: 127.0.0.1, port: ${callerPort}, protocol: UDP }`,
    '',
  ].join('\n');
}

async function registerNumbers(
  serverPort: number,
  csvFile: string,
  numbers: NumberPlan['callees'],
  fromPort: number,
): Promise<void> {
  const result = await runSipp({
    scenario: register,
    target: `127.0.0.1:${serverPort}`,
    transport: 'u1',
    injectionFile: csvFile,
    calls: numbers.length,
    rate: 200,
    sipPort: fromPort,
    timeoutMs: 30_000,
  });
  if (result.successful !== numbers.length) {
    throw new Error(
      `registering the callees from port ${fromPort}: ${result.successful}/${numbers.length} succeeded\n` +
        result.errors.slice(0, 1500),
    );
  }
}
