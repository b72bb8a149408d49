// Call scenarios against the real feature server: a server with the numbers and forwarding a
// test needs and two trusted trunks on loopback, phones (SIPp registering, then answering on
// the same port), trunk and subscriber callers, SIPp's message traces read back, and the call
// record the server wrote (SPEC §3.13).
import type { ExecutionContext } from 'ava';
import Database from 'better-sqlite3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from './feature-server.ts';
import {
  reservePorts,
  runSipp,
  startSipp,
  type RunningSipp,
  type SippResult,
  type SippRunOptions,
} from './sipp.ts';

const sippDir = resolve(fileURLToPath(new URL('../sipp', import.meta.url)));

/** A scenario of test/sipp/calls by name (`caller`, `phone-answer` …). */
export function callScenario(name: string): string {
  return join(sippDir, 'calls', `${name}.xml`);
}

/** Forwarding as provisioning/README.md writes it (SPEC §3.1). */
export interface ForwardingSpec {
  enabled: boolean;
  when: 'unconditional' | Array<'busy' | 'noAnswer' | 'unreachable'>;
  ringTime?: number;
  slots: Array<string | null>;
  /** A slot number, or the number's voicemail box (SPEC §3.11). */
  target: number | 'voicemail';
}

/** An operator subscription (SPEC §3): a feature name, or one carrying the operator's number. */
export type SubscriptionSpec =
  | 'special_number_forwarding'
  | 'hunt_group'
  | 'specific_number_presentation'
  | 'anonymous_rejection'
  | 'nuisance_blocking'
  | 'voicemail'
  | 'incoming_call_notice'
  | { feature: 'special_number_forwarding' | 'specific_number_presentation'; number: string };

/** SPEC §3.10 categories. */
export type OutgoingCategory =
  'international' | 'premium_rate_0990' | 'navi_dial_0570' | 'all_except_emergency';

/** SPEC §3.11 voicemail box settings, as provisioning/README.md writes them. */
export interface VoicemailSpec {
  guidance?: 'record' | 'announce_only';
  greeting?: 'system' | 'custom';
  maxMessages?: number;
  pin?: string | null;
  notification?: {
    addresses: string[];
    condition: 'none' | 'on_call' | 'on_recording';
    attachAudio: boolean;
  };
}

/** SPEC §3.12 incoming-call notice settings, as provisioning/README.md writes them. */
export interface IncomingCallNoticeSpec {
  enabled: boolean;
  addresses: Array<{ address: string; send?: boolean }>;
  callers?: 'all' | { list: string[] };
  calls?: 'all' | 'unanswered';
}

/** Per-number settings beyond forwarding, as provisioning/README.md writes them (SPEC §3.4–§3.10). */
export interface NumberSettingsSpec {
  subscriptions?: SubscriptionSpec[];
  specialNumberForwarding?: Omit<ForwardingSpec, 'slots' | 'target'>;
  callerId?: { presentation: 'present' | 'withhold' };
  specificNumberPresentation?: { enabled: boolean };
  anonymousRejection?: { enabled: boolean };
  nuisanceBlocking?: { numbers: string[] };
  internationalBarring?: { enabled: boolean };
  /** Base numbers only. */
  outgoingRestriction?: { categories: OutgoingCategory[] };
  voicemail?: VoicemailSpec;
  incomingCallNotice?: IncomingCallNoticeSpec;
}

export interface NumberSpec extends NumberSettingsSpec {
  /** A base number (national digits); it gets SIP credentials from `credentialsOf`. */
  number: string;
  forwarding?: ForwardingSpec;
  dialIns?: string[];
}

/** A site-level hunt group (SPEC §3.5); the pilot needs the `hunt_group` subscription. */
export interface HuntGroupSpec {
  pilot: string;
  mode?: 'sequential' | 'round_robin';
  callerId?: 'pilot' | 'individual';
  noAnswerTime?: number;
  members: string[];
}

const settingKeys = [
  'subscriptions',
  'specialNumberForwarding',
  'callerId',
  'specificNumberPresentation',
  'anonymousRejection',
  'nuisanceBlocking',
  'internationalBarring',
  'outgoingRestriction',
  'voicemail',
  'incomingCallNotice',
] as const satisfies ReadonlyArray<keyof NumberSettingsSpec>;

/** The settings a number spec gives, and only those. */
function numberSettings(n: NumberSpec): Partial<NumberSettingsSpec> {
  return Object.fromEntries(
    settingKeys.filter((key) => n[key] !== undefined).map((key) => [key, n[key]]),
  );
}

export interface LineSpec {
  /** Concurrent calls (SPEC §2); 4 unless told. */
  channels?: number;
  numbers: NumberSpec[];
}

export function credentialsOf(number: string): { username: string; password: string } {
  return { username: `u${number}`, password: `pw-${number}-secret` };
}

/** Provisioning for one voice group and site with the given access lines (JSON is YAML). */
export function callProvisioning(
  lines: readonly LineSpec[],
  site: { huntGroups?: readonly HuntGroupSpec[] } = {},
): string {
  return JSON.stringify({
    version: 1,
    voiceGroups: [
      {
        code: 'VG09998',
        name: 'E2E calls',
        sites: [
          {
            code: '9999998',
            name: 'E2E calls site',
            accessLines: lines.map((line, i) => ({
              code: `N${String(900000000 + i)}`,
              channels: line.channels ?? 4,
              numbers: line.numbers.map((n) => ({
                number: n.number,
                sip: credentialsOf(n.number),
                ...(n.dialIns ? { dialIns: n.dialIns.map((number) => ({ number })) } : {}),
                ...(n.forwarding ? { forwarding: n.forwarding } : {}),
                ...numberSettings(n),
              })),
            })),
            ...(site.huntGroups ? { huntGroups: site.huntGroups } : {}),
          },
        ],
      },
    ],
  });
}

/**
 * The `extra1`/`extra2` keywords of the *-custom and *-screened scenarios: up to two whole
 * header lines; an unused one is a harmless X- header (SIPp keeps the line of an empty keyword,
 * and an empty line would end the header).
 */
export function extraHeaders(...lines: string[]): { extra1: string; extra2: string } {
  if (lines.length > 2) throw new Error('at most two extra header lines');
  return { extra1: lines[0] ?? 'X-E2E-Unused: 1', extra2: lines[1] ?? 'X-E2E-Unused: 2' };
}

/** One message of a SIPp message trace (-trace_msg). */
export interface TracedMessage {
  /** Epoch ms of SIPp's time stamp (local time, microsecond precision). */
  at: number;
  direction: 'sent' | 'received';
  /** INVITE, ACK … for a request; undefined for a response. */
  method: string | undefined;
  /** The status code of a response. */
  status: number | undefined;
  startLine: string;
  /** Every value of a header field, by name (case-insensitive, compact forms not expanded). */
  headers(name: string): string[];
  header(name: string): string | undefined;
  body: string;
  text: string;
}

const traceStamp =
  /^-{10,} (\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\.(\d{6})\r?\n(\w+) message (sent|received)[^\n]*\n\n/gm;

/** Parses a SIPp -trace_msg file. */
export function parseTrace(text: string): TracedMessage[] {
  const starts = [...text.matchAll(traceStamp)];
  return starts.map((match, i) => {
    const [, y, mo, d, h, mi, s, us, , direction] = match;
    const at = new Date(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      Number(us) / 1000,
    ).getTime();
    const from = (match.index ?? 0) + match[0].length;
    const to = starts[i + 1]?.index ?? text.length;
    const raw = text.slice(from, to).replace(/\r\n/g, '\n');
    const split = raw.indexOf('\n\n');
    const head = split < 0 ? raw : raw.slice(0, split);
    const body = split < 0 ? '' : raw.slice(split + 2).replace(/\n+$/, '\n');
    const [startLine = '', ...lines] = head.split('\n');
    const fields = lines.map((line) => {
      const colon = line.indexOf(':');
      return {
        name: line.slice(0, colon).trim().toLowerCase(),
        value: line.slice(colon + 1).trim(),
      };
    });
    const response = /^SIP\/2\.0 (\d{3})/.exec(startLine);
    const headers = (name: string) =>
      fields.filter((f) => f.name === name.toLowerCase()).map((f) => f.value);
    return {
      at,
      direction: direction === 'sent' ? 'sent' : 'received',
      method: response ? undefined : startLine.split(' ')[0],
      status: response ? Number(response[1]) : undefined,
      startLine,
      headers,
      header: (name: string) => headers(name)[0],
      body: body.trim() === '' ? '' : body,
      text: raw,
    };
  });
}

/** A SIPp run whose messages are traced to a file the test can read at any time. */
export interface TracedSipp {
  sipPort: number;
  /** Settles when SIPp ends by itself. */
  done: Promise<SippResult>;
  /** Ends SIPp now (SIGINT). */
  stop(): Promise<SippResult>;
  /** Every message so far. */
  messages(): Promise<TracedMessage[]>;
  /** The Call-ID of the first INVITE in the trace (a caller's own Call-ID). */
  callId(): Promise<string>;
}

export interface CallLabOptions {
  lines: LineSpec[];
  /** Hunt groups of the site built from `lines`. */
  huntGroups?: HuntGroupSpec[];
  /** Provisioning YAML/JSON to use instead of the one built from `lines`. */
  provisioning?: string;
  env?: Record<string, string>;
  /** Inbound trunks, each a port a trunk caller sends from; 1 unless told. */
  inboundTrunks?: number;
}

/** The requests of `method` a SIPp received. */
export function received(messages: readonly TracedMessage[], method: string): TracedMessage[] {
  return messages.filter((m) => m.direction === 'received' && m.method === method);
}

/** The status codes of the responses a SIPp received, in order (retransmissions included). */
export function statuses(messages: readonly TracedMessage[]): number[] {
  return messages
    .filter((m) => m.direction === 'received' && m.status !== undefined)
    .map((m) => m.status as number);
}

/** Polls a SIPp's trace until a message matches, or throws after `timeoutMs`. */
export async function waitForMessage(
  run: TracedSipp,
  match: (message: TracedMessage) => boolean,
  timeoutMs = 10_000,
): Promise<TracedMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await run.messages()).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such message within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** Which messages a SIPp saw, one line each (`> INVITE`, `< 180`), for failure reports. */
export function ladder(messages: readonly TracedMessage[]): string {
  return messages
    .map((m) => `${m.direction === 'sent' ? '>' : '<'} ${m.method ?? m.status}`)
    .join(' ');
}

export interface CallRecordRow {
  call_id: string;
  direction: string;
  caller: string | null;
  called: string;
  outcome: string;
  outcome_reason: string | null;
  forwarded_to: string | null;
  failure_code: number | null;
  ring_seconds: number | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  rate_band: string;
  access_line_code: string | null;
  /** SPEC §3.5: the group number that answered a hunt-group call. */
  hunt_member?: string | null;
}

/**
 * A feature server with trusted trunks on loopback: `trunkPorts`, where trunk callers send
 * from, and `outboundPort`, where calls to numbers that are not ours go. Trunks are known by
 * their source port, so phones on other loopback ports are subscribers' devices.
 */
export class CallLab {
  readonly server: RunningServer;
  readonly trunkPorts: readonly number[];
  readonly outboundPort: number;
  readonly dir: string;
  readonly #runs: TracedSipp[] = [];
  #traces = 0;

  private constructor(
    server: RunningServer,
    trunkPorts: readonly number[],
    outboundPort: number,
    dir: string,
  ) {
    this.server = server;
    this.trunkPorts = trunkPorts;
    this.outboundPort = outboundPort;
    this.dir = dir;
  }

  static async start(options: CallLabOptions): Promise<CallLab> {
    const dir = await mkdtemp(join(tmpdir(), 'ipvoice-calls-'));
    const trunkPorts: number[] = [];
    for (let i = 0; i < (options.inboundTrunks ?? 1); i++) trunkPorts.push(await reservePorts(1));
    const outboundPort = await reservePorts(1);
    const trunk = { address: '127.0.0.1', protocol: 'UDP' };
    const server = await startServer({
      provisioning:
        options.provisioning ??
        callProvisioning(options.lines, {
          ...(options.huntGroups ? { huntGroups: options.huntGroups } : {}),
        }),
      config: JSON.stringify({
        calls: {
          trunks: [
            ...trunkPorts.map((port, i) => ({
              name: `carrier-in-${i + 1}`,
              ...trunk,
              port,
              outbound: false,
            })),
            { name: 'carrier-out', ...trunk, port: outboundPort, outbound: true },
          ],
        },
      }),
      env: {
        // SIPp answers only MD5 challenges, and only the first one offered.
        IPVOICE_AUTH__ALGORITHMS: 'MD5',
        IPVOICE_SIP__ADVERTISED_HOST: '127.0.0.1',
        // A SIPp phone would take a keep-alive OPTIONS for a call it did not expect.
        IPVOICE_REGISTRAR__UDP_KEEPALIVE__MODE: 'none',
        ...options.env,
      },
    });
    return new CallLab(server, trunkPorts, outboundPort, dir);
  }

  /** Starts SIPp with its messages traced into the lab's folder. */
  async sipp(options: SippRunOptions): Promise<TracedSipp> {
    const file = join(this.dir, `trace-${this.#traces++}.msg`);
    const running: RunningSipp = await startSipp({
      ...options,
      extraArgs: [...(options.extraArgs ?? []), '-trace_msg', '-message_file', file],
    });
    const messages = async () => parseTrace(await readFile(file, 'utf8').catch(() => ''));
    const traced: TracedSipp = {
      sipPort: running.sipPort,
      done: running.done,
      stop: () => running.stop(),
      messages,
      callId: async () => {
        const invite = (await messages()).find((m) => m.method === 'INVITE');
        const id = invite?.header('Call-ID');
        if (id === undefined) throw new Error(`no INVITE in ${file}`);
        return id;
      },
    };
    this.#runs.push(traced);
    return traced;
  }

  /** A CSV (-inf) with a number and its digest credentials, for register.xml and phone-call.xml. */
  async credentialsFile(number: string): Promise<string> {
    const { username, password } = credentialsOf(number);
    const file = join(this.dir, `${number}-${this.#traces++}.csv`);
    await writeFile(
      file,
      `SEQUENTIAL\n${number};[authentication username=${username} password=${password}]\n`,
    );
    return file;
  }

  /**
   * A phone: registers `number` from a port of its own, then answers on that port with a
   * scenario of test/sipp/calls (SIPp cannot take a new call in a scenario that began as a
   * client, so the two are separate runs).
   */
  async phone(
    number: string,
    scenario: string,
    vars: Record<string, string> = {},
    options: { calls?: number } = {},
  ): Promise<TracedSipp> {
    const port = await this.register(number);
    return this.answerOn(port, number, scenario, vars, options);
  }

  /** Registers `number` from a port of its own (register.xml) and returns that port. */
  async register(number: string): Promise<number> {
    const port = await reservePorts(1);
    const registered = await runSipp({
      scenario: join(sippDir, 'register.xml'),
      target: this.server.target,
      transport: 'u1',
      injectionFile: await this.credentialsFile(number),
      sipPort: port,
      timeoutMs: 10_000,
    });
    if (registered.exitCode !== 0)
      throw new Error(`${number} could not register:\n${registered.errors}${registered.stderr}`);
    return port;
  }

  /** A SIPp UAS for one call on `port` (a registered phone's, or the outbound trunk's). */
  answerOn(
    port: number,
    number: string,
    scenario: string,
    vars: Record<string, string> = {},
    options: { calls?: number; timeoutMs?: number } = {},
  ): Promise<TracedSipp> {
    return this.sipp({
      scenario: callScenario(scenario),
      transport: 'u1',
      sipPort: port,
      vars: { number, ...vars },
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.calls !== undefined ? { calls: options.calls } : {}),
    });
  }

  /** The outbound trunk answering a call to `number` with a scenario of test/sipp/calls. */
  outboundTrunk(number: string, scenario: string): Promise<TracedSipp> {
    return this.answerOn(this.outboundPort, number, scenario);
  }

  /** A call from an inbound trunk (a caller scenario of test/sipp/calls), started. */
  trunkCall(
    scenario: string,
    call: {
      caller: string;
      callee: string;
      /** How long an answered call lasts before the caller's BYE (caller.xml); 200 ms. */
      talkMs?: number;
      /** Which inbound trunk (index into trunkPorts); the first. */
      trunk?: number;
      /** More keywords for the scenario. */
      vars?: Record<string, string>;
    },
  ): Promise<TracedSipp> {
    const port = this.trunkPorts[call.trunk ?? 0];
    if (port === undefined) throw new Error(`no inbound trunk ${call.trunk}`);
    return this.sipp({
      scenario: callScenario(scenario),
      target: this.server.target,
      transport: 'u1',
      sipPort: port,
      vars: { caller: call.caller, callee: call.callee, ...call.vars },
      pauseMs: call.talkMs ?? 200,
      timeoutMs: 30_000,
    });
  }

  /** A call placed by a subscriber's phone with digest credentials (phone-call.xml unless
   * told), started. */
  async subscriberCall(call: {
    caller: string;
    callee: string;
    scenario?: string;
    /** More keywords for the scenario. */
    vars?: Record<string, string>;
  }): Promise<TracedSipp> {
    return this.sipp({
      scenario: callScenario(call.scenario ?? 'phone-call'),
      target: this.server.target,
      transport: 'u1',
      injectionFile: await this.credentialsFile(call.caller),
      vars: { callee: call.callee, ...call.vars },
      timeoutMs: 30_000,
    });
  }

  /** The records of a call, polled until at least one is there or `timeoutMs` passes. */
  async records(callId: string, timeoutMs = 3000): Promise<CallRecordRow[]> {
    const file = join(this.server.dataDir, 'ipvoice.sqlite');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const rows = db
          .prepare('SELECT * FROM call_records WHERE call_id = ?')
          .all(callId) as CallRecordRow[];
        if (rows.length > 0) return rows;
      } finally {
        db.close();
      }
      if (Date.now() > deadline) return [];
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  /** The one record of a call; throws when there is none or more than one. */
  async record(callId: string): Promise<CallRecordRow> {
    const rows = await this.records(callId);
    // A second record written late would be a bug too: give it a moment to show.
    const again = rows.length === 1 ? await this.#settled(callId) : rows;
    if (again.length !== 1)
      throw new Error(`expected one call record for ${callId}, found ${again.length}`);
    return again[0] as CallRecordRow;
  }

  async #settled(callId: string): Promise<CallRecordRow[]> {
    // The writer inserts in batches on a ~200 ms timer: one more batch is long enough.
    await new Promise((done) => setTimeout(done, 300));
    return this.records(callId, 0);
  }

  /**
   * SPEC §3.8: the `screening_counters` count of `number`'s base number for `feature` in
   * `month` (YYYY-MM), polled until it reaches `atLeast` or `timeoutMs` passes; 0 when there
   * is no row (or no table yet).
   */
  async screeningCount(
    number: string,
    feature: string,
    month: string,
    options: { atLeast?: number; timeoutMs?: number } = {},
  ): Promise<number> {
    const file = join(this.server.dataDir, 'ipvoice.sqlite');
    const deadline = Date.now() + (options.timeoutMs ?? 3000);
    for (;;) {
      let count = 0;
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const row = db
          .prepare(
            `SELECT c.count AS count FROM screening_counters c
               JOIN numbers n ON n.id = c.number_id
              WHERE n.number = ? AND c.feature = ? AND c.month = ?`,
          )
          .get(number, feature, month) as { count: number } | undefined;
        count = Number(row?.count ?? 0);
      } catch (error) {
        if (!/no such table/.test(String(error))) throw error;
      } finally {
        db.close();
      }
      if (count >= (options.atLeast ?? 1) || Date.now() > deadline) return count;
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  /** The server's database, for a test that changes settings behind its back. */
  get databaseUrl(): string {
    return `sqlite:${join(this.server.dataDir, 'ipvoice.sqlite')}`;
  }

  /** Server log lines that mention `text`. */
  logsWith(text: string): string[] {
    return this.server.logs.filter((line) => line.includes(text));
  }

  /** Stops every SIPp still running, then the server; removes the folders. */
  async dispose(): Promise<void> {
    await Promise.all(this.#runs.map((run) => run.stop()));
    await this.server.dispose();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Why a SIPp run failed, for an assertion message. */
export async function explain(run: TracedSipp, result: SippResult): Promise<string> {
  return [
    `exit ${result.exitCode}, ${result.successful} ok / ${result.failed} failed`,
    `ladder: ${ladder(await run.messages())}`,
    result.errors.trim(),
    result.stderr.trim(),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** Asserts that each SIPp run ends with every call successful, explaining any that did not. */
export async function succeeded(t: ExecutionContext, ...runs: TracedSipp[]): Promise<void> {
  for (const run of runs) {
    const result = await run.done;
    t.is(result.exitCode, 0, await explain(run, result));
  }
}
