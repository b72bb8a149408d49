// The feature server as a composition of packages (ARCHITECTURE.md: a service is thin):
// database + provisioning, shared state, the SIP stack, and the registrar on top.
import { mkdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { Config } from '@ipvoice/config';
import { loadPrompts, MediaEngine, MessageStore } from '@ipvoice/media';
import { createNotifier } from '@ipvoice/notifier';
import {
  addScreeningCounts,
  countVoicemailMessages,
  findCredentialByUsername,
  insertCallRecords,
  migrateToLatest,
  openDatabase,
  type Kysely,
  type Database,
} from '@ipvoice/db';
import { applyProvisioning, loadProvisioningFile } from '@ipvoice/provisioning';
import {
  createSipServer,
  digestAuth,
  isSipUri,
  parseUri,
  SipError,
  systemClock,
  type Clock,
  type ListenPoint,
  type ListeningPoint,
  type Logger,
  type Middleware,
  type SipServer,
} from '@ipvoice/sip';
import { createStateStore, type Binding, type StateStore } from '@ipvoice/state';
import { ActiveCalls } from './calls/active-calls.ts';
import { identifyCaller, inDialogOnly } from './calls/caller.ts';
import { Announcer } from './calls/announcer.ts';
import { MediaCalls } from './calls/media-calls.ts';
import { MessageWaiting } from './voicemail/message-waiting.ts';
import { Voicemail } from './voicemail/voicemail.ts';
import { CallRecordWriter } from './calls/call-record-writer.ts';
import { ScreeningCounterWriter } from './calls/screening-counter-writer.ts';
import { routeCall } from './calls/route-call.ts';
import { SubscriberCache } from './calls/subscriber-cache.ts';
import { CredentialCache } from './registrar/credential-cache.ts';
import { registerHandler } from './registrar/register-handler.ts';
import { UdpKeepalive } from './registrar/udp-keepalive.ts';

export interface FeatureServer {
  readonly sip: SipServer;
  readonly db: Kysely<Database>;
  readonly state: StateStore;
  readonly subscribers: SubscriberCache;
  readonly calls: ActiveCalls;
  readonly records: CallRecordWriter;
  readonly listeningPoints: readonly ListeningPoint[];
  /** Told when bindings go without a REGISTER: their connection closed, or a UDP device
   * stopped answering keep-alives. */
  onBindingsRemoved(listener: BindingsRemovedListener): void;
  close(): Promise<void>;
}

export type BindingsRemovedListener = (event: {
  cause: 'connection-closed' | 'keepalive-timeout';
  bindings: readonly Binding[];
}) => void;

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
}

/** Methods we answer; everything else gets 405/501 with this Allow list. PRACK is not among
 * them: we do not offer 100rel (RFC 3262), and an INVITE requiring it gets 420. */
const allow = [
  'REGISTER',
  'OPTIONS',
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'UPDATE',
  'INFO',
  'SUBSCRIBE',
];
const supported = ['path', 'outbound', 'timer'];

export async function startFeatureServer({
  config,
  logger,
  clock = systemClock,
}: StartOptions): Promise<FeatureServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase(config.database.url, {
    onIdleError: (err) => logger.warn({ err }, 'idle database connection lost'),
  });
  await migrateToLatest(db);
  if (config.provisioning.applyOnStart && config.provisioning.file) {
    await provision(db, config.provisioning.file, logger, config.mail.language);
  }

  const state = createStateStore({
    driver: config.state.driver,
    keyPrefix: config.state.keyPrefix,
    ...(config.state.redisUrl ? { redisUrl: config.state.redisUrl } : {}),
    clock,
    onError: (err: unknown) => logger.error({ err }, 'state store error'),
  });

  const sip = createSipServer({
    listen: listenPoints(config),
    ...tlsCredentials(config),
    clock,
    logger,
    serverHeader: config.sip.userAgent,
    userAgent: config.sip.userAgent,
    allow,
    supported,
    timers: config.sip.timers,
    idleTimeoutMs: config.sip.connectionIdleTimeout * 1000,
  });

  const removedListeners: BindingsRemovedListener[] = [];
  const bindingsRemoved: BindingsRemovedListener = (event) => {
    for (const listener of removedListeners) listener(event);
  };
  const credentials = new CredentialCache(
    (username) => findCredentialByUsername(db, username),
    clock,
  );
  const keepalive = new UdpKeepalive({
    sip,
    registrations: state.registrations,
    clock,
    logger,
    serverId: config.server.id,
    intervalMs: config.registrar.udpKeepalive.interval * 1000,
    onRemoved: (binding) => bindingsRemoved({ cause: 'keepalive-timeout', bindings: [binding] }),
  });

  const authenticate = digestAuth({
    realm: config.sip.domain,
    secret: config.auth.secret,
    algorithms: config.auth.algorithms,
    nonceLifetimeSeconds: config.auth.nonceTtl,
    clock,
    // DEVIATION (RFC 2617 §3.2.2.5): a digest-uri naming this server by domain or address
    // is accepted even when it differs from the Request-URI, as SIPp and many phones send
    // `sip:<server address>`; a digest for any other host is still refused.
    acceptDigestUri: digestUriMatcher(config, sip),
    lookup: async (username) => {
      const c = await credentials.get(username);
      return c ? { password: c.password } : undefined;
    },
  });

  sip.register(
    serviceUnavailableOnFailure(logger),
    authenticate,
    registerHandler({
      state,
      clock,
      serverId: config.server.id,
      policy: config.registrar,
      findRegistrant: (username) => credentials.get(username),
      onChange: (aor, put, removed) => keepalive.update(aor, put, removed),
    }),
  );

  const subscribers = new SubscriberCache(db, clock);
  const unfollow = await subscribers.follow(state, logger);
  const calls = new ActiveCalls(sip, clock, logger);
  const records = new CallRecordWriter({
    insert: (rows) => insertCallRecords(db, rows),
    logger,
    clock,
  });
  const counters = new ScreeningCounterWriter({
    write: (rows) => db.transaction().execute((tx) => addScreeningCounts(tx, rows, new Date())),
    clock,
    logger,
  });
  const engine = new MediaEngine({
    bindAddress: config.media.bindAddress,
    advertisedAddress: config.media.advertisedAddress,
    portMin: config.media.rtpPortMin,
    portMax: config.media.rtpPortMax,
    logger,
  });
  const prompts = loadPrompts();
  const announcer = new Announcer({
    sip,
    engine,
    prompts,
    language: config.announcements.language,
    logger,
  });
  const mediaCalls = new MediaCalls(sip, engine, logger);
  const notifier = createNotifier({ db, config, clock, logger });
  notifier.start();
  const waiting = new MessageWaiting({
    sip,
    state,
    clock,
    logger,
    domain: config.sip.domain,
    serverId: config.server.id,
    counts: async (number) => {
      const box = await subscribers.get(number);
      return box?.voicemail ? countVoicemailMessages(db, box.base.id) : undefined;
    },
  });
  const unfollowWaiting = await waiting.follow();
  const voicemail = new Voicemail({
    db,
    config,
    clock,
    logger,
    calls: mediaCalls,
    prompts,
    store: new MessageStore(config.voicemail.storeDir),
    waiting,
    notifier,
    subscribers,
    languageOf: (req) => announcer.languageOf(req),
  });
  const routing = {
    sip,
    config,
    clock,
    logger,
    state,
    subscribers,
    calls,
    records,
    announcer,
    counters,
    voicemail,
    notifier,
  };
  const nonRegister = allow.filter((m) => m !== 'REGISTER');
  // Requests within a dialog (To tag) go to the call they belong to, or get 481.
  for (const method of nonRegister)
    sip.use(method, mediaCalls.middleware(), waiting.middleware(), calls.middleware());
  sip.invite(
    serviceUnavailableOnFailure(logger),
    identifyCaller({
      trunks: config.calls.trunks,
      subscribers,
      credentials: (username) => credentials.get(username),
      auth: authenticate,
    }),
    async (req, res) => routeCall(routing, req, res, req.locals['caller'] as never),
  );
  for (const method of ['ACK', 'BYE', 'UPDATE', 'INFO']) sip.on(method, inDialogOnly());
  // RFC 3842: a device subscribes to its own box's message summary.
  sip.subscribe(serviceUnavailableOnFailure(logger), authenticate, async (req, res) => {
    const username = req.locals.auth?.username;
    const credential = username ? await credentials.get(username) : undefined;
    if (!credential) throw new SipError(403, 'Forbidden');
    await waiting.subscribe(req, res, credential.number);
  });

  // RFC 3261 §11.2: an OPTIONS answer lists what we can do.
  sip.options(async (_req, res) => {
    await res.send(200, 'OK', {
      headers: {
        Allow: allow.join(', '),
        Accept: 'application/sdp',
        Supported: supported.join(', '),
      },
    });
  });

  // A connection that died takes its bindings with it: nothing can reach the device
  // through it any more (RFC 5626 §5.2 in spirit).
  sip.onConnectionClosed((connectionId) => {
    state.registrations
      .removeByConnection(config.server.id, connectionId)
      .then((gone) => {
        if (gone.length > 0) {
          logger.info(
            { connectionId, aors: gone.map((b) => b.aor) },
            'bindings removed with their connection',
          );
          bindingsRemoved({ cause: 'connection-closed', bindings: gone });
        }
      })
      .catch((err: unknown) =>
        logger.error({ err, connectionId }, 'could not remove bindings of a closed connection'),
      );
  });

  await sip.listen();
  if (config.registrar.udpKeepalive.mode === 'options') keepalive.start();

  return {
    sip,
    db,
    state,
    subscribers,
    calls,
    records,
    get listeningPoints() {
      return sip.listeningPoints;
    },
    onBindingsRemoved(listener) {
      removedListeners.push(listener);
    },
    async close() {
      keepalive.stop();
      calls.hangUpAll();
      mediaCalls.hangUpAll();
      await waiting.close();
      await unfollowWaiting();
      await notifier.stop();
      await records.close();
      await counters.close();
      await unfollow();
      await sip.close();
      await state.close();
      await db.destroy();
    },
  };
}

async function provision(
  db: Kysely<Database>,
  file: string,
  logger: Logger,
  mailLanguage: 'ja' | 'en',
): Promise<void> {
  const loaded = await loadProvisioningFile(file);
  if (!loaded.ok)
    throw new Error(`provisioning file ${file} is invalid:\n${loaded.errors.join('\n')}`);
  const report = await applyProvisioning(db, loaded.document, { mailLanguage });
  logger.info({ file, report }, 'provisioning applied');
}

function listenPoints(config: Config): ListenPoint[] {
  const { sip } = config;
  const points: ListenPoint[] = [];
  const add = (protocol: ListenPoint['protocol'], t: { enabled: boolean; port: number }) => {
    if (t.enabled)
      points.push({
        protocol,
        address: sip.host,
        port: t.port,
        advertisedHost: sip.advertisedHost,
      });
  };
  add('UDP', sip.udp);
  add('TCP', sip.tcp);
  add('TLS', sip.tls);
  add('WS', sip.ws);
  add('WSS', sip.wss);
  return points;
}

function tlsCredentials(config: Config): { tls?: { cert: Buffer; key: Buffer } } {
  const t = config.sip.tls.enabled
    ? config.sip.tls
    : config.sip.wss.enabled
      ? config.sip.wss
      : undefined;
  if (!t?.certFile || !t.keyFile) return {};
  return { tls: { cert: readFileSync(t.certFile), key: readFileSync(t.keyFile) } };
}

/** Whether a digest-uri names this server: our domain, or one of our addresses and ports.
 * The interface addresses are read once: asking the OS per request is slow. */
function digestUriMatcher(config: Config, sip: SipServer): (digestUri: string) => boolean {
  let local: Set<string> | undefined;
  return (digestUri) => {
    const uri = parseUri(digestUri);
    if (!uri || !isSipUri(uri)) return false;
    const host = uri.host.toLowerCase().replace(/^\[|\]$/g, '');
    if (host === config.sip.domain.toLowerCase()) return true;
    local ??= new Set(
      Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)),
    );
    const port = uri.port ?? 5060;
    return sip.listeningPoints.some((p) => {
      const wildcard = p.address === '0.0.0.0' || p.address === '::';
      const ours =
        host === p.advertisedHost || host === p.address || (wildcard && local?.has(host) === true);
      return ours && port === p.port;
    });
  };
}

/** RFC 3261 §21.5.4: when the database or the state store fails, the request is not the
 * fault; 503 with Retry-After tells the phone to try again later (a 500 may make it give
 * up). SipErrors are the handlers' own answers and pass through. */
function serviceUnavailableOnFailure(logger: Logger): Middleware {
  return async (req, _res, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof SipError) throw err;
      logger.error({ err, callId: req.callId, method: req.method }, 'backing store failed');
      throw new SipError(503, 'Service Unavailable', { 'Retry-After': '30' });
    }
  };
}
