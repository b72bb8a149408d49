/** The JSON body of every error answer. */
export interface ErrorBody {
  /** A stable word for programs: `validation`, `unauthorized`, `not_found`, … */
  error: string;
  /** For people; decision-core messages are passed through verbatim. */
  message: string;
  /** The request field at fault, as a dotted path (`slots.2`, `newPassword`), when one is. */
  field?: string;
}

/** Thrown by handlers and the access check; the error handler turns it into its answer. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly field?: string,
    /** Extra members of the body (e.g. every problem of a setting). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }

  body(): ErrorBody & Record<string, unknown> {
    return {
      error: this.error,
      message: this.message,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...this.extra,
    };
  }
}

export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const unauthorized = (message: string, error = 'unauthorized') =>
  new ApiError(401, error, message);
export const invalid = (field: string, message: string, extra?: Record<string, unknown>) =>
  new ApiError(400, 'validation', message, field, extra);
