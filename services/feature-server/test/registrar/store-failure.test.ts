// When the database is gone, a REGISTER gets 503 with Retry-After (try again later), never a
// 500 or silence, and the server keeps answering.
import test from 'ava';
import { rm } from 'node:fs/promises';
import { getHeader } from '@ipvoice/sip';
import { startTestServer } from '../helpers/in-process-server.ts';
import { UdpUa } from '../helpers/raw-ua.ts';

test('a REGISTER that needs the lost database is answered 503 with Retry-After', async (t) => {
  const t0 = await startTestServer({
    tag: '79',
    subscribers: [1, 2].map((n) => ({
      number: `031234790${n}`,
      username: `fail0${n}`,
      password: `fail-secret-0${n}`,
    })),
  });
  const { server } = t0;
  const port = t0.port('UDP');
  const ua = await UdpUa.open(port);
  t.teardown(async () => {
    await ua.close();
    await server.sip.close();
    await server.state.close();
    await rm(t0.dir, { recursive: true, force: true });
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
