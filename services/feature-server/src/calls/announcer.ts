// SPEC §5: a refused caller hears a short spoken guidance as early media (183 with our SDP
// answer) before the final response. A caller that offered no G.711 audio gets the final
// response alone; a CANCEL ends the guidance (the stack has answered the INVITE 487).
import type { Guidance } from '@ipvoice/features';
import type { MediaEngine, PromptLanguage, PromptLibrary } from '@ipvoice/media';
import type { IncomingRequest, Logger, OutgoingResponse, SipServer } from '@ipvoice/sip';

export interface AnnouncerOptions {
  sip: SipServer;
  engine: MediaEngine;
  prompts: PromptLibrary;
  /** Used unless the INVITE's Accept-Language asks for another shipped language. */
  language: PromptLanguage;
  logger: Logger;
}

export class Announcer {
  readonly #o: AnnouncerOptions;

  constructor(options: AnnouncerOptions) {
    this.#o = options;
  }

  /** Plays the guidance to the caller of `req`; resolves when it has ended or was cancelled. */
  async play(req: IncomingRequest, res: OutgoingResponse, guidance: Guidance): Promise<void> {
    const m = req.message;
    if (m.body.length === 0 || !/^application\/sdp\b/i.test(req.get('Content-Type') ?? '')) return;
    const session = await this.#o.engine.open(m.body);
    if (!session) return;
    try {
      req.onCancel(() => session.stop());
      if (req.cancelled || res.finished) return;
      await res.send(183, 'Session Progress', {
        headers: { 'Content-Type': ['application/sdp'] },
        body: session.answer,
        contact: [this.#o.sip.localContact(req.flow.protocol)],
      });
      await session.play(this.#o.prompts.get(guidance, this.languageOf(req)));
    } finally {
      session.close();
    }
  }

  /** RFC 3261 §20.3 Accept-Language: the first shipped language the caller lists, q aside. */
  languageOf(req: IncomingRequest): PromptLanguage {
    const wanted = (req.get('Accept-Language') ?? '')
      .split(',')
      .map((tag) => tag.split(';')[0]?.trim().toLowerCase() ?? '');
    for (const tag of wanted) {
      const primary = tag.split('-')[0];
      if (primary === 'ja' || primary === 'en') return primary;
    }
    return this.#o.language;
  }
}
