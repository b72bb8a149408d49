// When the database is gone, a REGISTER gets 503 with Retry-After (try again later), never a
// 500 or silence, and the server keeps answering.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ipvoice/config';
import { getHeader, noopLogger } from '@ipvoice/sip';
import { startFeatureServer } from '../../src/feature-server.ts';
import { UdpUa } from '../helpers/raw-ua.ts';

const provisioning = `version: 1
voiceGroups:
  - code: VG00079
    name: Store failure
    sites:
      - code: "7900001"
        name: Branch
        accessLines:
          - code: N790000001
            channels: 2
            numbers:
              - number: "0312347901"
                sip: { username: fail01, password: fail-secret-01 }
              - number: "0312347902"
                sip: { username: fail02, password: fail-secret-02 }
`;

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

test('a REGISTER that needs the lost database is answered 503 with Retry-After', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ipvoice-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'provisioning.yaml'), provisioning);
  const config = loadConfig({
    argv: [],
    env: {
      SIP_PORT: String(await freePort()),
      DATA_DIR: dir,
      PROVISIONING_FILE: join(dir, 'provisioning.yaml'),
      IPVOICE_SIP__HOST: '127.0.0.1',
      SIP_ADVERTISED_HOST: '127.0.0.1',
    },
  });
  const server = await startFeatureServer({ config, logger: noopLogger });
  const port = server.listeningPoints.find((p) => p.protocol === 'UDP')?.port ?? 0;
  const ua = await UdpUa.open(port);
  t.teardown(async () => {
    await ua.close();
    await server.sip.close();
    await server.state.close();
  });

  const before = await ua.register({
    aor: '0312347901',
    username: 'fail01',
    password: 'fail-secret-01',
  });
  t.is(before.status, 200, 'registers while the database is there');

  await server.db.destroy();
  const after = await ua.register({
    aor: '0312347902',
    username: 'fail02',
    password: 'fail-secret-02',
  });
  t.is(after.status, 503);
  t.is(getHeader(after, 'Retry-After'), '30');
});
