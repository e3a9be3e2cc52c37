// The one error type for "the user did something wrong". Domain code (lib/devices, lib/webhooks, …) throws it;
// server actions turn it into form state, JSON routes into a 4xx answer chosen by `code` — never by the message.

/** Machine-readable reasons; the HTTP status of each is in `statusForCode`. */
export type UserErrorCode =
  | "invalid"
  | "not_found"
  | "conflict"
  | "limit_reached"
  | "rate_limited"
  | "forbidden"
  /** the webhook endpoint check failed: the form offers "Save anyway" */
  | "endpoint_check_failed";

const STATUS: Record<UserErrorCode, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  limit_reached: 409,
  rate_limited: 429,
  endpoint_check_failed: 422,
};

export class UserError extends Error {
  readonly code: UserErrorCode;
  constructor(
    message: string,
    /** Field → messages, shown under each field of a form (and as `fields` in API errors). */
    readonly errors?: Record<string, string[]>,
    code: UserErrorCode = "invalid",
  ) {
    super(message);
    this.name = "UserError";
    this.code = code;
  }
}

export function statusForCode(code: UserErrorCode): number {
  return STATUS[code];
}
