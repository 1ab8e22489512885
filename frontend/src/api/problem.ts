// Every API error is an RFC 9457 problem+json document; this turns one (or a network failure)
// into an Error whose messages can be shown next to the form fields they concern.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly detail: string;
  readonly fieldErrors: FieldError[];
  readonly type: string;

  constructor(status: number, detail: string, fieldErrors: FieldError[] = [], type = 'about:blank') {
    super(detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.detail = detail;
    this.fieldErrors = fieldErrors;
    this.type = type;
  }

  /** Messages for one field (`password`), also matching nested paths (`mapping.date_column`). */
  messagesFor(field: string): string[] {
    return this.fieldErrors
      .filter((e) => e.field === field || e.field.endsWith(`.${field}`))
      .map((e) => e.message);
  }

  /** One line per problem: the detail, then each field error as `field: message`. */
  messages(): string[] {
    const fields = this.fieldErrors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
    return fields.length > 0 && this.status === 422 ? [this.detail, ...fields] : [this.detail];
  }
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Please sign in again.',
  403: 'That is not allowed.',
  404: 'Not found.',
  413: 'The file is too large.',
  429: 'Too many attempts; please wait a few minutes.',
  503: 'The server cannot reach its database right now.',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Builds the error from a response's status and decoded body, whatever shape it has. */
export function problemFrom(status: number, body: unknown): ApiProblem {
  if (isRecord(body)) {
    const errors = Array.isArray(body.errors)
      ? body.errors.filter(isRecord).map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
      : [];
    const detail = typeof body.detail === 'string' && body.detail ? body.detail : STATUS_TEXT[status];
    return new ApiProblem(status, detail ?? `Request failed (${status}).`, errors, String(body.type ?? 'about:blank'));
  }
  if (typeof body === 'string' && body.trim()) return new ApiProblem(status, body.trim());
  return new ApiProblem(status, STATUS_TEXT[status] ?? `Request failed (${status}).`);
}

/** Any thrown value as something to tell the user. */
export function describeError(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof TypeError) return new ApiProblem(0, 'Cannot reach the Dhana server. Check your connection.');
  return new ApiProblem(0, error instanceof Error ? error.message : String(error));
}
