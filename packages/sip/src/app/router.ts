// Which steps a request runs through: middleware registered with `use` (all methods or
// one), in registration order, then the handlers registered for its method.
import type { Middleware } from './middleware.ts';

interface Registration {
  /** Upper-case method, or undefined for every method. */
  method: string | undefined;
  steps: readonly Middleware[];
}

export class Router {
  #middleware: Registration[] = [];
  #handlers = new Map<string, Middleware[]>();
  /** Chains by method, built on first use: every request asks, registrations are rare. */
  #chains = new Map<string, readonly Middleware[]>();

  use(method: string | undefined, steps: readonly Middleware[]): void {
    this.#middleware.push({ method: method?.toUpperCase(), steps });
    this.#chains.clear();
  }

  handle(method: string, steps: readonly Middleware[]): void {
    const key = method.toUpperCase();
    const list = this.#handlers.get(key) ?? [];
    list.push(...steps);
    this.#handlers.set(key, list);
    this.#chains.clear();
  }

  /** Methods with at least one handler. */
  get methods(): string[] {
    return [...this.#handlers.keys()];
  }

  hasHandler(method: string): boolean {
    return this.#handlers.has(method.toUpperCase());
  }

  /** Middleware for `method` in registration order, then its handlers. */
  chainFor(method: string): readonly Middleware[] {
    let chain = this.#chains.get(method);
    if (chain === undefined) {
      const key = method.toUpperCase();
      const middleware = this.#middleware
        .filter((r) => r.method === undefined || r.method === key)
        .flatMap((r) => r.steps);
      chain = [...middleware, ...(this.#handlers.get(key) ?? [])];
      this.#chains.set(method, chain);
    }
    return chain;
  }
}
