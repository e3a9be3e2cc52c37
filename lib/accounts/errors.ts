/** An expected refusal from account logic (duplicate email, last owner…), with optional per-field messages. */
export class AccountError extends Error {
  constructor(
    message: string,
    readonly errors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "AccountError";
  }
}
