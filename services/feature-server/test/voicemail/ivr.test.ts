// The voice menu's key handling: barge-in, terminator and count, pauses, type-ahead, hang-up.
import test from 'ava';
import type { Prompt } from '@ipvoice/media';
import { FakeClock } from '@ipvoice/sip';
import type { MediaCall } from '../../src/calls/media-calls.ts';
import { CallEnded, Ivr } from '../../src/voicemail/ivr.ts';

/** A call whose prompts play until stopped or `finishPlay()`; keys come from `press()`. */
function fakeCall() {
  const listeners: Array<(d: string) => void> = [];
  const ends: Array<() => void> = [];
  const played: string[] = [];
  let playing: ((r: 'done' | 'stopped') => void) | undefined;
  let ended = false;
  const session = {
    onDtmf: (fn: (d: string) => void) => {
      listeners.push(fn);
      return () => undefined;
    },
    play: (prompts: Prompt | readonly Prompt[]) => {
      played.push(
        ([] as Prompt[])
          .concat(prompts)
          .map((p) => p.name)
          .join('+'),
      );
      return new Promise<'done' | 'stopped'>((resolve) => (playing = resolve));
    },
    stop: () => {
      playing?.('stopped');
      playing = undefined;
    },
  };
  const call = {
    session,
    get ended() {
      return ended;
    },
    onEnd: (fn: () => void) => ends.push(fn),
  } as unknown as MediaCall;
  return {
    call,
    played,
    press: (digits: string) => {
      for (const d of digits) for (const fn of listeners) fn(d);
    },
    finishPlay: () => {
      playing?.('done');
      playing = undefined;
    },
    get isPlaying() {
      return playing !== undefined;
    },
    hangUp: () => {
      ended = true;
      for (const fn of ends) fn();
    },
  };
}

const prompt = (name: string) => ({ name }) as Prompt;
const flush = () => new Promise((resolve) => setImmediate(resolve));

test('the first key stops the prompt; # ends the answer', async (t) => {
  const f = fakeCall();
  const ivr = new Ivr(f.call, new FakeClock(0));
  const answer = ivr.ask([prompt('vm-enter-pin')], { max: 8 });
  t.true(f.isPlaying);
  f.press('25');
  t.false(f.isPlaying, 'the prompt played on under the keys');
  f.press('80#');
  t.is(await answer, '2580');
});

test('an answer is complete at max keys; a pause after some keys ends it', async (t) => {
  const clock = new FakeClock(0);
  const f = fakeCall();
  const ivr = new Ivr(f.call, clock);
  const one = ivr.ask([prompt('vm-main-menu')], { max: 1 });
  f.press('3');
  t.is(await one, '3');
  const pin = ivr.ask([prompt('vm-enter-pin')], { max: 8, nextDigitMs: 4000 });
  f.press('12');
  clock.advance(3999);
  await flush();
  clock.advance(1);
  t.is(await pin, '12');
});

test('nothing pressed: the wait starts when the prompt ends, then the answer is empty', async (t) => {
  const clock = new FakeClock(0);
  const f = fakeCall();
  const ivr = new Ivr(f.call, clock);
  let answered: string | undefined;
  const answer = ivr.ask([prompt('vm-main-menu')], { max: 1, firstDigitMs: 8000 });
  void answer.then((a) => (answered = a));
  clock.advance(20_000); // the prompt is still playing: no timeout yet
  await flush();
  t.is(answered, undefined);
  f.finishPlay();
  await flush();
  clock.advance(8000);
  t.is(await answer, '');
});

test('keys pressed during a message that cannot be interrupted answer the next question', async (t) => {
  const f = fakeCall();
  const ivr = new Ivr(f.call, new FakeClock(0));
  const said = ivr.say([prompt('vm-wrong-pin')]);
  f.press('2580#1');
  t.true(f.isPlaying, 'a message without barge-in was cut');
  f.finishPlay();
  await said;
  t.is(await ivr.ask([prompt('vm-enter-pin')], { max: 8 }), '2580');
  // The 1 left over answers the menu at once, and neither prompt was played.
  t.is(await ivr.ask([prompt('vm-main-menu')], { max: 1 }), '1');
  t.deepEqual(f.played, ['vm-wrong-pin']);
});

test('hanging up while asked rejects with CallEnded', async (t) => {
  const f = fakeCall();
  const ivr = new Ivr(f.call, new FakeClock(0));
  const answer = ivr.ask([prompt('vm-enter-pin')], { max: 8 });
  f.hangUp();
  await t.throwsAsync(answer, { instanceOf: CallEnded });
});
