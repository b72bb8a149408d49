// SPEC §3.5 hunt groups through the real server: a call to the group is offered to one number
// at a time — sequentially from the pilot, or round-robin from the one after the previous
// call's first attempt (shared by every feature server) — skipping numbers that are busy,
// unregistered or (the per-group no-answer time) not answering; busy treatment when nobody
// takes it. The record names the member that answered.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  CallLab,
  received,
  statuses,
  succeeded,
  type CallLabOptions,
  type ForwardingSpec,
  type HuntGroupSpec,
  type TracedSipp,
  waitForMessage,
} from '../../helpers/calls.ts';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const outside = '0312000001';
const pilot = '0355580000';
const m1 = '0355580001';
const m2 = '0355580002';
const m3 = '0355580003';
const m4 = '0355580004';

function group(
  members: string[],
  setting: Omit<HuntGroupSpec, 'pilot' | 'members'> = {},
  pilotForwarding?: ForwardingSpec,
): CallLabOptions {
  return {
    lines: [
      {
        channels: 8,
        numbers: [
          {
            number: pilot,
            subscriptions: ['hunt_group'],
            ...(pilotForwarding ? { forwarding: pilotForwarding } : {}),
          },
          ...members.map((number) => ({ number })),
        ],
      },
    ],
    huntGroups: [{ pilot, members, ...setting }],
  };
}

async function invitesTo(phone: TracedSipp) {
  return received(await phone.messages(), 'INVITE');
}

test('sequential: the pilot is busy, member 1 unregistered, member 2 answers', async (t) => {
  const lab = await CallLab.start(group([m1, m2], { mode: 'sequential' }));
  t.teardown(() => lab.dispose());
  const pilotPhone = await lab.phone(pilot, 'phone-busy');
  const m2Phone = await lab.phone(m2, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: pilot });

  await succeeded(t, caller, pilotPhone, m2Phone);
  const [first] = await invitesTo(pilotPhone);
  const [answered] = await invitesTo(m2Phone);
  t.truthy(first, 'the pilot was not tried');
  t.true((first?.at ?? Infinity) <= (answered?.at ?? 0), 'member 2 rang before the pilot');
  // The member's INVITE names the number dialled.
  t.regex(answered?.header('To') ?? '', new RegExp(`sip:${pilot}@`));
  t.false(statuses(await caller.messages()).includes(486), 'the busy reached the caller');
  t.like(await lab.record(await caller.callId()), {
    called: pilot,
    outcome: 'answered',
    hunt_member: m2,
  });
});

test('a member whose line has no free channel is skipped: the next member answers', async (t) => {
  // The pilot's line carries one call at a time; member 1 has a line of its own.
  const lab = await CallLab.start({
    lines: [
      { channels: 1, numbers: [{ number: pilot, subscriptions: ['hunt_group'] }] },
      { numbers: [{ number: m1 }] },
    ],
    huntGroups: [{ pilot, members: [m1], mode: 'sequential' }],
    // Two calls at once come from two trunk ports.
    inboundTrunks: 2,
  });
  t.teardown(() => lab.dispose());
  const pilotPhone = await lab.phone(pilot, 'phone-answer');
  const m1Phone = await lab.phone(m1, 'phone-answer');
  // The first call is answered by the pilot and stays up while the second arrives.
  const first = await lab.trunkCall('caller', { caller: outside, callee: pilot, talkMs: 4000 });
  await waitForMessage(first, (m) => m.direction === 'received' && m.status === 200);
  const second = await lab.trunkCall('caller', {
    caller: '0312000002',
    callee: pilot,
    trunk: 1,
  });

  await succeeded(t, first, second, pilotPhone, m1Phone);
  t.is((await invitesTo(pilotPhone)).length, 1, 'the pilot was offered a call beyond its line');
  t.like(await lab.record(await first.callId()), { hunt_member: pilot });
  t.like(await lab.record(await second.callId()), { outcome: 'answered', hunt_member: m1 });
});

test('a call to a member number is delivered to the group: the pilot first, To kept', async (t) => {
  const lab = await CallLab.start(group([m1, m2], { mode: 'sequential' }));
  t.teardown(() => lab.dispose());
  const pilotPhone = await lab.phone(pilot, 'phone-answer');
  const m2Phone = await lab.phone(m2, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: m2 });

  await succeeded(t, caller, pilotPhone);
  const [invite] = await invitesTo(pilotPhone);
  t.regex(invite?.header('To') ?? '', new RegExp(`sip:${m2}@`));
  t.deepEqual(await invitesTo(m2Phone), [], 'member 2 rang although the pilot answered');
  t.like(await lab.record(await caller.callId()), {
    called: m2,
    outcome: 'answered',
    hunt_member: pilot,
  });
});

test('round-robin: three calls are answered by the pilot, member 1, member 2 in turn', async (t) => {
  const lab = await CallLab.start(group([m1, m2], { mode: 'round_robin' }));
  t.teardown(() => lab.dispose());
  const phones = [
    await lab.phone(pilot, 'phone-answer'),
    await lab.phone(m1, 'phone-answer'),
    await lab.phone(m2, 'phone-answer'),
  ];
  const answeredBy: Array<string | null | undefined> = [];
  for (let i = 0; i < 3; i++) {
    const caller = await lab.trunkCall('caller', { caller: outside, callee: pilot });
    await succeeded(t, caller);
    answeredBy.push((await lab.record(await caller.callId())).hunt_member);
  }
  t.deepEqual(answeredBy, [pilot, m1, m2]);
  await succeeded(t, ...phones);
  for (const phone of phones) t.is((await invitesTo(phone)).length, 1);
});

test('no-answer time 5 s: the pilot rings ~5 s, is cancelled, member 1 answers', async (t) => {
  const lab = await CallLab.start(group([m1], { mode: 'sequential', noAnswerTime: 5 }));
  t.teardown(() => lab.dispose());
  const pilotPhone = await lab.phone(pilot, 'phone-ring');
  const m1Phone = await lab.phone(m1, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: pilot });

  await succeeded(t, caller, pilotPhone, m1Phone);
  const [first] = await invitesTo(pilotPhone);
  const [next] = await invitesTo(m1Phone);
  const seconds = ((next?.at ?? 0) - (first?.at ?? 0)) / 1000;
  t.true(seconds >= 4.5 && seconds <= 6.5, `member 1 rang after ${seconds} s`);
  t.is(received(await pilotPhone.messages(), 'CANCEL').length, 1);
  t.like(await lab.record(await caller.callId()), { outcome: 'answered', hunt_member: m1 });
});

test('everyone busy: the caller gets 486', async (t) => {
  const lab = await CallLab.start(group([m1], { mode: 'sequential' }));
  t.teardown(() => lab.dispose());
  const pilotPhone = await lab.phone(pilot, 'phone-busy');
  const m1Phone = await lab.phone(m1, 'phone-busy');
  const caller = await lab.trunkCall('caller-refused', { caller: outside, callee: pilot });

  await succeeded(t, caller, pilotPhone, m1Phone);
  t.is(statuses(await caller.messages()).at(-1), 486);
  t.like(await lab.record(await caller.callId()), {
    called: pilot,
    outcome: 'busy',
    failure_code: 486,
  });
});

test("everyone busy with the pilot's busy forwarding: out to the target with Diversion", async (t) => {
  const target = '0312999999';
  const lab = await CallLab.start(
    group(
      [m1],
      { mode: 'sequential' },
      { enabled: true, when: ['busy'], slots: [target], target: 1 },
    ),
  );
  t.teardown(() => lab.dispose());
  const trunk = await lab.outboundTrunk(target, 'phone-answer');
  const pilotPhone = await lab.phone(pilot, 'phone-busy');
  const m1Phone = await lab.phone(m1, 'phone-busy');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: pilot });

  await succeeded(t, caller, pilotPhone, m1Phone, trunk);
  t.true(statuses(await caller.messages()).includes(181));
  const [invite] = received(await trunk.messages(), 'INVITE');
  t.regex(invite?.startLine ?? '', new RegExp(`^INVITE sip:${target}@`));
  t.regex(invite?.header('Diversion') ?? '', new RegExp(`sip:${pilot}@.*reason=user-busy`));
  t.like(await lab.record(await caller.callId()), {
    called: pilot,
    outcome: 'forwarded',
    outcome_reason: 'busy',
    forwarded_to: target,
  });
});

test('round-robin across two feature servers sharing Redis: ten calls, no repeats or skips', async (t) => {
  const prefix = `e2e-hunt-${randomUUID()}:`;
  t.teardown(async () => {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const members = [m1, m2, m3, m4];
  const options: CallLabOptions = {
    ...group(members, { mode: 'round_robin' }),
    env: { REDIS_URL: redisUrl, IPVOICE_STATE__KEY_PREFIX: prefix },
  };
  const labs = [await CallLab.start(options), await CallLab.start(options)] as const;
  t.teardown(() => Promise.all(labs.map((lab) => lab.dispose())));
  // Each phone registers with the first server; the second finds it in the shared store.
  const order = [pilot, ...members];
  const phones: TracedSipp[] = [];
  for (const number of order) {
    const port = await labs[0].register(number);
    phones.push(
      await labs[0].answerOn(port, number, 'phone-answer', {}, { calls: 2, timeoutMs: 90_000 }),
    );
  }

  const positions: number[] = [];
  for (let i = 0; i < 10; i++) {
    const lab = labs[i % 2] as CallLab;
    const caller = await lab.trunkCall('caller', { caller: outside, callee: pilot });
    await succeeded(t, caller);
    const member = (await lab.record(await caller.callId())).hunt_member ?? '';
    positions.push(order.indexOf(member));
  }
  t.deepEqual(positions, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  await succeeded(t, ...phones);
});
