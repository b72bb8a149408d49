export interface ConfigIssue {
  /** Dotted key, e.g. `sip.udp.port`; empty for problems with a whole source. */
  key: string;
  message: string;
  /** Where the value came from: a file path, an environment variable or `--config`. */
  source: string;
}

/** Thrown by loadConfig; the message lists every problem, one line each, ready to print. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function formatIssue(i: ConfigIssue): string {
  return `config: ${i.key ? `${i.key}: ` : ''}${i.message} (from ${i.source})`;
}
