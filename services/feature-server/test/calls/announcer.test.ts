// SPEC §5: Japanese by default, English when the caller's Accept-Language asks for it.
import test from 'ava';
import { MediaEngine, loadPrompts } from '@ipvoice/media';
import { noopLogger, type IncomingRequest, type SipServer } from '@ipvoice/sip';
import { Announcer } from '../../src/calls/announcer.ts';

function announcer(language: 'ja' | 'en'): Announcer {
  return new Announcer({
    sip: {} as SipServer,
    engine: new MediaEngine({
      bindAddress: '127.0.0.1',
      advertisedAddress: '127.0.0.1',
      portMin: 40000,
      portMax: 40100,
    }),
    prompts: loadPrompts(),
    language,
    logger: noopLogger,
  });
}

const asking = (acceptLanguage: string | undefined) =>
  ({
    get: (name: string) => (/^accept-language$/i.test(name) ? acceptLanguage : undefined),
  }) as IncomingRequest;

test('the configured language unless the caller asks for another shipped one', (t) => {
  const cases: Array<[string | undefined, 'ja' | 'en', 'ja' | 'en']> = [
    [undefined, 'ja', 'ja'],
    [undefined, 'en', 'en'],
    ['en', 'ja', 'en'],
    ['en-GB;q=0.9', 'ja', 'en'],
    ['fr, en;q=0.5', 'ja', 'en'],
    ['ja-JP', 'en', 'ja'],
    ['fr, de', 'ja', 'ja'],
    ['', 'en', 'en'],
  ];
  for (const [header, configured, expected] of cases)
    t.is(announcer(configured).languageOf(asking(header)), expected, `${header} / ${configured}`);
});
