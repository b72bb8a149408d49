// A real API instance over a seeded tenant, driven with app.inject, with an injected clock.
import {
  createAccount,
  upsertAccessLine,
  upsertNumber,
  upsertSite,
  upsertVoiceGroup,
  type Database,
  type Kysely,
  type ScopedAccount,
  findAccountByLogin,
} from '@ipvoice/db';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStateStore } from '@ipvoice/state';
import test, { type ExecutionContext } from 'ava';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { hashPassword } from '../../src/auth/secrets.ts';
import { buildApi } from '../../src/build-api.ts';
import { postgres, sqlite, type Dialect } from './dialects.ts';

export const start = new Date('2025-11-23T09:00:00.000Z');
export const PASSWORD = 'secret123';
export const OPERATOR = { login: 'op', password: 'operator123' };

export class FakeClock {
  t = start.getTime();
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

/** Two voice groups: VG1 with sites S1 (n1, n2) and S2 (n3); VG2 with site S3 (n4). */
async function seed(db: Kysely<Database>) {
  const vg1 = (await upsertVoiceGroup(db, { code: 'VG00001', name: 'One' }, start)).row;
  const vg2 = (await upsertVoiceGroup(db, { code: 'VG00002', name: 'Two' }, start)).row;
  const site = async (code: string, groupId: number, line: string) => {
    const s = (await upsertSite(db, { code, voice_group_id: groupId, name: code }, start)).row;
    const l = (await upsertAccessLine(db, { code: line, site_id: s.id, channels: 2 }, start)).row;
    return { site: s, line: l };
  };
  const s1 = await site('1000001', vg1.id, 'N000000001');
  const s2 = await site('1000002', vg1.id, 'N000000002');
  const s3 = await site('2000001', vg2.id, 'N000000003');
  const num = async (number: string, lineId: number) =>
    (await upsertNumber(db, { number, kind: 'base', access_line_id: lineId }, start)).row;
  const n1 = await num('0312345678', s1.line.id);
  const n2 = await num('0312345679', s1.line.id);
  const n3 = await num('0612345678', s2.line.id);
  const n4 = await num('0522223333', s3.line.id);
  return { vg1, vg2, s1: s1.site, s2: s2.site, s3: s3.site, n1, n2, n3, n4 };
}

export type Tenant = Awaited<ReturnType<typeof seed>>;

export interface Harness {
  app: FastifyInstance;
  db: Kysely<Database>;
  state: MemoryStateStore;
  clock: FakeClock;
  tenant: Tenant;
  /** The API's data folder (voicemail store, job files), removed after the test. */
  dataDir: string;
  /** Logs in and returns the Cookie header value of the session. */
  login(login: string, password?: string): Promise<string>;
  request(options: InjectOptions & { cookie?: string }): Promise<LightMyRequestResponse>;
  account(login: string): Promise<ScopedAccount>;
}

/** Accounts made for every test: ga (VG1), sa (S1), user (n1); op comes from the config. */
async function seedAccounts(db: Kysely<Database>, t: Tenant) {
  const passwordHash = await hashPassword(PASSWORD);
  await createAccount(
    db,
    { login: 'ga', passwordHash, scope: { role: 'group_admin', voiceGroupId: t.vg1.id } },
    start,
  );
  await createAccount(
    db,
    { login: 'sa', passwordHash, scope: { role: 'site_admin', siteId: t.s1.id } },
    start,
  );
  await createAccount(
    db,
    { login: 'user', passwordHash, scope: { role: 'user', numberId: t.n1.id } },
    start,
  );
}

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'ipvoice_session');
  if (cookie === undefined) throw new Error(`no session cookie: ${response.body}`);
  return `ipvoice_session=${cookie.value}`;
}

async function open(dialect: Dialect): Promise<{ harness: Harness; close(): Promise<void> }> {
  const db = await dialect.open();
  // Files the API writes (voicemail greetings, job results) go to a folder of this test's own.
  const dataDir = await mkdtemp(join(tmpdir(), 'ipvoice-api-'));
  const clock = new FakeClock();
  const state = new MemoryStateStore({ clock: { now: clock.now, setTimeout, clearTimeout } });
  const tenant = await seed(db);
  await seedAccounts(db, tenant);
  const app = buildApi({
    db,
    state,
    clock,
    logger: pino({ level: 'silent' }),
    config: {
      api: {
        operatorLogin: OPERATOR.login,
        operatorPassword: OPERATOR.password,
        secureCookie: true,
      },
      http: { port: 0, host: '127.0.0.1' },
      mail: { language: 'en' },
      voicemail: { storeDir: join(dataDir, 'voicemail'), centreNumber: '1417' },
      dataDir,
    },
  });
  await app.ready();
  const request: Harness['request'] = ({ cookie, headers, ...rest }) =>
    app.inject({ ...rest, headers: { ...headers, ...(cookie ? { cookie } : {}) } });
  const harness: Harness = {
    app,
    db,
    state,
    clock,
    tenant,
    dataDir,
    request,
    async login(login, password = login === OPERATOR.login ? OPERATOR.password : PASSWORD) {
      const r = await request({ method: 'POST', url: '/auth/login', payload: { login, password } });
      if (r.statusCode !== 200) throw new Error(`login ${login}: ${r.statusCode} ${r.body}`);
      return sessionCookie(r);
    },
    async account(login) {
      const a = await findAccountByLogin(db, login);
      if (a === undefined) throw new Error(`no account ${login}`);
      return a;
    },
  };
  return {
    harness,
    async close() {
      await app.close();
      await state.close();
      await rm(dataDir, { recursive: true, force: true });
      await db.destroy();
    },
  };
}

type Body = (t: ExecutionContext, h: Harness) => Promise<void>;

/** Registers each test once per dialect ("sqlite: …", "postgres: …"), each on its own
 * database and API instance. */
export function eachDialect(): (title: string, body: Body) => void {
  const dialects: Dialect[] = [sqlite, postgres()];
  test.after.always(async () => {
    for (const d of dialects) await d.teardown();
  });
  return (title, body) => {
    for (const dialect of dialects) {
      test(`${dialect.name}: ${title}`, async (t) => {
        // ava starts every test of a file at once; each PostgreSQL test holds connections of
        // its own, and the server's limit (100 by default) is shared with every other suite
        // running beside this one. A few at a time per file keeps well under it.
        const release = dialect.name === 'postgres' ? await postgresSlots.take() : () => {};
        try {
          const { harness, close } = await open(dialect);
          try {
            await body(t, harness);
          } finally {
            await close();
          }
        } finally {
          release();
        }
      });
    }
  };
}

/** A counting semaphore: at most `size` holders at once, the rest wait in order. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  async take(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

const postgresSlots = new Slots(6);
