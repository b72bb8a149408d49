// Runs every registration scenario against Kamailio over UDP and TCP, so we know the
// scenarios are right before pointing them at our registrar.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startKamailio,
  type Credential,
  type RunningKamailio,
} from '../../../bench/kamailio/kamailio.ts';
import { freePort } from '../../helpers/feature-server.ts';
import { registrationSuite } from '../../helpers/registration-suite.ts';

const minExpires = 2;
const credentials: Credential[] = Array.from({ length: 64 }, (_, i) => ({
  aorUser: `030${String(1000000 + i)}`,
  sipId: `sipid${i}`,
  password: `pw-${i}-secret`,
}));

let kamailio: RunningKamailio;
let dir: string;
let port: number;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kamailio-sipp-'));
  port = await freePort();
  kamailio = await startKamailio({ dir, port, credentials, minExpires, sharedMemoryMb: 64 });
});

test.after.always(async () => {
  await kamailio?.stop();
  await rm(dir, { recursive: true, force: true });
});

registrationSuite(test, {
  target: () => `127.0.0.1:${port}`,
  dir: () => dir,
  minExpires,
  subscribers: credentials,
});
