// The dialogs a user agent holds, keyed by dialog id, to match incoming requests (RFC 3261
// §12.2.2) and responses, including the several early dialogs one forked INVITE can open
// (§12.1.2, §13.2.2.4).
import type { SipRequest, SipResponse } from '../message/types.ts';
import { Dialog, dialogKey, type DialogCreateOptions, type DialogId } from './dialog.ts';

export class DialogTable {
  readonly #dialogs = new Map<string, Dialog>();

  get size(): number {
    return this.#dialogs.size;
  }

  values(): IterableIterator<Dialog> {
    return this.#dialogs.values();
  }

  add(dialog: Dialog): void {
    this.#dialogs.set(dialogKey(dialog.id), dialog);
  }

  get(id: DialogId): Dialog | undefined {
    return this.#dialogs.get(dialogKey(id));
  }

  remove(id: DialogId): boolean {
    return this.#dialogs.delete(dialogKey(id));
  }

  /** An incoming request: our tag is in To, the peer's in From (RFC 3261 §12.2.2). */
  matchRequest(request: SipRequest): Dialog | undefined {
    const localTag = tag(request.to.params.tag);
    if (!localTag) return undefined;
    return this.get({ callId: request.callId, localTag, remoteTag: tag(request.from.params.tag) });
  }

  /** A response to our request: our tag is in From, the peer's in To. */
  matchResponse(response: SipResponse): Dialog | undefined {
    const localTag = tag(response.from.params.tag);
    if (!localTag) return undefined;
    return this.get({ callId: response.callId, localTag, remoteTag: tag(response.to.params.tag) });
  }

  /** Every dialog one request of ours created: the forks of an INVITE (RFC 3261 §13.2.2.4). */
  dialogSet(callId: string, localTag: string): Dialog[] {
    const lower = localTag.toLowerCase();
    return [...this.#dialogs.values()].filter(
      (d) => d.id.callId === callId && d.id.localTag.toLowerCase() === lower,
    );
  }

  /**
   * UAC: a response to a dialog-creating request we sent. Updates the dialog it belongs to, or
   * opens a new one when a fork answers with a new To tag ("each response with a different To
   * tag creates a new dialog", RFC 3261 §12.1.2 / §13.2.2.4). A non-2xx final response ends
   * and removes the early dialogs of the set (§12.3). Returns the dialog the response is for.
   */
  uacResponse(
    request: SipRequest,
    response: SipResponse,
    options: DialogCreateOptions = {},
  ): Dialog | undefined {
    if (response.status >= 300) {
      const localTag = tag(request.from.params.tag);
      for (const dialog of this.dialogSet(request.callId, localTag)) {
        if (dialog.state !== 'early') continue;
        dialog.terminate();
        this.remove(dialog.id);
      }
      return undefined;
    }
    const existing = this.matchResponse(response);
    if (existing) {
      existing.receiveResponse(request, response);
      return existing;
    }
    const created = Dialog.fromUacResponse(request, response, options);
    if (!created.ok) return undefined;
    this.add(created.dialog);
    return created.dialog;
  }
}

function tag(value: string | null | undefined): string {
  return value ?? '';
}
