import "server-only";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { AccessError, requireMember, type MemberContext } from "@/lib/auth/guard";
import type { Permission } from "@/lib/auth/permissions";
import { getSessionUserId } from "@/lib/auth/session";
import { UserError } from "@/lib/errors";
import { findUnstorable, UNSTORABLE_MESSAGE } from "@/lib/validation/text";

export { UserError };

/** What every action returns to a form driven by useActionState. */
export type ActionState<T = unknown> = {
  ok: boolean;
  message?: string;
  /** What kind of refusal, for a form that offers a way out (e.g. "endpoint_check_failed" → Save anyway). */
  code?: string;
  /** Field name → messages, shown under each field. */
  errors?: Record<string, string[] | undefined>;
  /** What the user typed, so the form keeps it after an error. */
  values?: Record<string, unknown>;
  data?: T;
} | null;

/**
 * FormData → plain object. Keys ending in "[]" collect into arrays; a "__json" field holds a JSON object that is
 * merged in (for nested form state such as header lists). A NUL character or lone surrogate anywhere is refused
 * with a field error (no text column can hold one).
 */
export function formDataToObject(input: FormData | Record<string, unknown>): Record<string, unknown> {
  const out = readFormData(input);
  const bad = findUnstorable(out);
  if (bad) {
    const field = bad.split(/[.[]/)[0] || "form";
    throw new UserError("Please correct the highlighted fields.", { [field]: [`This field ${UNSTORABLE_MESSAGE}.`] });
  }
  return out;
}

function readFormData(input: FormData | Record<string, unknown>): Record<string, unknown> {
  if (!(input instanceof FormData)) return { ...input };
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of input.entries()) {
    if (rawKey.startsWith("$ACTION")) continue;
    if (rawKey === "__json") {
      if (typeof value !== "string") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw new UserError("The form data could not be read (malformed JSON).");
      }
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) Object.assign(out, parsed);
      continue;
    }
    if (rawKey.endsWith("[]")) {
      const key = rawKey.slice(0, -2);
      const list = Array.isArray(out[key]) ? (out[key] as unknown[]) : [];
      list.push(value);
      out[key] = list;
    } else {
      out[rawKey] = value;
    }
  }
  return out;
}

const orgRefSchema = z.object({ orgSlug: z.string().min(1, "Organization is missing").max(64) });

const ECHO_MAX_CHARS = 10_000;

/** Values safe to echo back into a form (no File objects, no passwords). */
function echoValues(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v instanceof Blob) continue;
    if (/password|token|secret/i.test(k)) continue;
    // a refused 1 MB value is not worth sending back whole; the form only needs enough to show what was typed
    out[k] = typeof v === "string" && v.length > ECHO_MAX_CHARS ? v.slice(0, ECHO_MAX_CHARS) : v;
  }
  return out;
}

/**
 * Wraps a server action with the guard every action needs, in this order: session → membership of the org named
 * by `orgSlug` in the input → permission → zod validation → the handler (which must scope queries by ctx.orgId).
 * Refusals and validation errors come back as ActionState; nothing is changed. Redirects pass through.
 */
export function orgAction<S extends z.ZodType, T = unknown>(
  schema: S,
  permission: Permission,
  handler: (ctx: MemberContext, input: z.infer<S>) => Promise<ActionState<T> | void>,
) {
  return async function action(_prev: ActionState<T> | unknown, input: FormData | Record<string, unknown>): Promise<ActionState<T>> {
    let raw: Record<string, unknown> = {};
    try {
      raw = formDataToObject(input ?? {});
      const ref = orgRefSchema.safeParse(raw);
      if (!ref.success) return { ok: false, message: "Organization is missing from the request." };
      const ctx = await requireMember(await getSessionUserId(), { slug: ref.data.orgSlug }, permission);
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return {
          ok: false,
          message: "Please correct the highlighted fields.",
          errors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
          values: echoValues(raw),
        };
      }
      return (await handler(ctx, parsed.data)) ?? { ok: true };
    } catch (err) {
      unstable_rethrow(err);
      if (err instanceof AccessError) return { ok: false, message: err.message };
      if (err instanceof UserError) return { ok: false, message: err.message, code: err.code, errors: err.errors, values: echoValues(raw) };
      console.error("[action] unexpected error:", err);
      return { ok: false, message: "Something went wrong on our side; nothing was changed. Please try again." };
    }
  };
}

/** Like orgAction for signed-in users outside any org (e.g. creating an org). */
export function userAction<S extends z.ZodType, T = unknown>(
  schema: S,
  handler: (userId: number, input: z.infer<S>) => Promise<ActionState<T> | void>,
) {
  return async function action(_prev: ActionState<T> | unknown, input: FormData | Record<string, unknown>): Promise<ActionState<T>> {
    let raw: Record<string, unknown> = {};
    try {
      raw = formDataToObject(input ?? {});
      const userId = await getSessionUserId();
      if (!userId) return { ok: false, message: "Please sign in." };
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return {
          ok: false,
          message: "Please correct the highlighted fields.",
          errors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
          values: echoValues(raw),
        };
      }
      return (await handler(userId, parsed.data)) ?? { ok: true };
    } catch (err) {
      unstable_rethrow(err);
      if (err instanceof UserError) return { ok: false, message: err.message, errors: err.errors, values: echoValues(raw) };
      console.error("[action] unexpected error:", err);
      return { ok: false, message: "Something went wrong on our side; nothing was changed. Please try again." };
    }
  };
}
