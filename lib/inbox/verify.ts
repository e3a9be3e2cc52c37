import "server-only";
import { timingSafeEqual } from "node:crypto";
import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { Db } from "@/db/client";
import { events, webhooks, webhookSecrets } from "@/db/schema";
import { openWebhookValue } from "@/lib/webhooks/sealed";
import { SIGNATURE_TOLERANCE_SECONDS } from "./constants";
import type { SignatureVerdict } from "./types";

/** One of the org's webhook secrets, decrypted once per API call and ready to sign with. */
export type OrgSigningSecret = {
  secretId: number;
  webhookId: number;
  webhookName: string;
  /** null = the webhook's current secret; a date = rotated out, valid until then. */
  expiresAt: Date | null;
  signer: Webhook;
};

/** How long an expired secret is still recognised, so the verdict can say "expired secret" instead of "unknown". */
const EXPIRED_LOOKBACK_MS = 30 * 86_400_000;

/**
 * The org's webhook secrets, decrypted: `valid` are current or not yet expired (they can verify a request),
 * `expired` ran out within the last 30 days (used only to explain a failure). One query, one decryption each.
 */
export async function loadOrgSigningSecrets(
  db: Db,
  orgId: number,
  now: Date = new Date(),
): Promise<{ valid: OrgSigningSecret[]; expired: OrgSigningSecret[]; fingerprint: string }> {
  const since = new Date(now.getTime() - EXPIRED_LOOKBACK_MS);
  const rows = await db
    .select({
      secretId: webhookSecrets.id,
      webhookId: webhookSecrets.webhookId,
      webhookName: webhooks.name,
      expiresAt: webhookSecrets.expiresAt,
      sealed: webhookSecrets.secretEncrypted,
    })
    .from(webhookSecrets)
    .innerJoin(webhooks, and(eq(webhooks.id, webhookSecrets.webhookId), eq(webhooks.orgId, orgId)))
    .where(and(eq(webhookSecrets.orgId, orgId), or(isNull(webhookSecrets.expiresAt), gt(webhookSecrets.expiresAt, since))))
    .orderBy(sql`${webhookSecrets.expiresAt} desc nulls first`, webhookSecrets.id);
  const valid: OrgSigningSecret[] = [];
  const expired: OrgSigningSecret[] = [];
  const parts: string[] = [];
  for (const row of rows) {
    let signer: Webhook;
    try {
      signer = new Webhook(openWebhookValue({ orgId, webhookId: row.webhookId }, "signing-secret", row.sealed));
    } catch {
      continue; // a secret sealed with another key cannot verify anything
    }
    const entry = { secretId: row.secretId, webhookId: row.webhookId, webhookName: row.webhookName, expiresAt: row.expiresAt, signer };
    const isValid = row.expiresAt === null || row.expiresAt.getTime() > now.getTime();
    (isValid ? valid : expired).push(entry);
    // the IV part of the sealed value is random per encryption, so a re-created row never reuses a fingerprint
    parts.push(`${row.secretId}.${row.sealed.split(".")[1] ?? ""}:${isValid ? "v" : "x"}:${row.webhookId}:${row.webhookName}`);
  }
  return { valid, expired, fingerprint: parts.join("|") };
}

/** What verification needs of a captured request. */
export type VerifiableRequest = {
  headers: Record<string, string>;
  body: string;
  bodyEncoding: "utf8" | "base64";
  receivedAt: Date;
};

/** Does `signer` produce one of the `v1,` signatures in the header for this id, timestamp and body? */
function signatureMatches(signer: Webhook, msgId: string, timestamp: number, payload: string | Buffer, header: string): boolean {
  // the standardwebhooks package computes the signature; comparing here lets freshness be judged at arrival
  const expected = Buffer.from(signer.sign(msgId, new Date(timestamp * 1000), payload).split(",")[1] ?? "");
  for (const part of header.split(" ")) {
    const [version, signature] = part.split(",");
    if (version !== "v1" || !signature) continue;
    const given = Buffer.from(signature);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  return false;
}

/** The webhook a Signalpost body names (`webhookId` in a JSON or form body), if any. */
function namedWebhookId(req: VerifiableRequest): number | null {
  if (req.bodyEncoding !== "utf8" || !req.body) return null;
  const text = req.body.trim();
  let raw: unknown;
  if (text.startsWith("{")) {
    try {
      raw = (JSON.parse(text) as Record<string, unknown>).webhookId;
    } catch {
      return null;
    }
  } else if ((req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) {
    raw = new URLSearchParams(text).get("webhookId");
  }
  const id = Number(raw);
  return Number.isInteger(id) && id > 0 ? id : null;
}

function ageWords(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/**
 * The Standard Webhooks verdict on a captured request against the org's secrets:
 * - no webhook-id/-timestamp/-signature headers → unsigned;
 * - a valid secret signs exactly these bytes and the timestamp was within 5 minutes of arrival → verified;
 * - otherwise invalid, with the reason: timestamp too old/new, incomplete headers, an expired secret, a body
 *   changed after signing (it names one of the org's webhooks, or its webhook-id is one of the org's events),
 *   or a secret this org does not have.
 * Freshness is judged against the arrival time (not the time the page is read), so a request stays verified.
 * `isOrgEvent` answers whether an event id belongs to the org (only asked when nothing verifies).
 */
export async function verifyCapturedRequest(
  req: VerifiableRequest,
  secrets: { valid: OrgSigningSecret[]; expired: OrgSigningSecret[] },
  isOrgEvent: (eventId: string) => Promise<boolean>,
): Promise<SignatureVerdict> {
  const msgId = req.headers["webhook-id"];
  const timestampHeader = req.headers["webhook-timestamp"];
  const signatureHeader = req.headers["webhook-signature"];
  if (msgId === undefined && timestampHeader === undefined && signatureHeader === undefined) return { status: "unsigned" };

  const missing = [
    msgId ? null : "webhook-id",
    timestampHeader ? null : "webhook-timestamp",
    signatureHeader ? null : "webhook-signature",
  ].filter((h): h is string => h !== null);
  const timestamp = timestampHeader && /^\d{1,12}$/.test(timestampHeader.trim()) ? Number(timestampHeader.trim()) : null;
  if (missing.length > 0 || timestamp === null || !msgId || !signatureHeader) {
    const why = missing.length > 0 ? `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing` : "webhook-timestamp is not a number of seconds";
    return { status: "invalid", reason: "malformed", message: `Incomplete signature headers: ${why}.`, timestamp };
  }

  const payload = req.bodyEncoding === "base64" ? Buffer.from(req.body, "base64") : req.body;
  const namedId = namedWebhookId(req);
  // try the webhook the body names first: with many webhooks, that is usually the one
  const ordered = namedId === null ? secrets.valid : [...secrets.valid].sort((a, b) => Number(b.webhookId === namedId) - Number(a.webhookId === namedId));
  const match = ordered.find((s) => signatureMatches(s.signer, msgId, timestamp, payload, signatureHeader));
  if (match) {
    const skew = Math.floor(req.receivedAt.getTime() / 1000) - timestamp;
    const signedBy = { webhookId: match.webhookId, webhookName: match.webhookName };
    if (skew > SIGNATURE_TOLERANCE_SECONDS) {
      return {
        status: "invalid",
        reason: "timestamp_too_old",
        message: `Timestamp too old: signed by webhook "${match.webhookName}" ${ageWords(skew)} before it arrived (the limit is 5 min; a replayed request?).`,
        timestamp,
        ...signedBy,
      };
    }
    if (-skew > SIGNATURE_TOLERANCE_SECONDS) {
      return {
        status: "invalid",
        reason: "timestamp_too_new",
        message: `Timestamp too new: it is ${ageWords(-skew)} after the request arrived (the limit is 5 min; is the sender's clock wrong?).`,
        timestamp,
        ...signedBy,
      };
    }
    return { status: "verified", timestamp, rotatedOut: match.expiresAt !== null, ...signedBy };
  }

  const expiredMatch = secrets.expired.find((s) => signatureMatches(s.signer, msgId, timestamp, payload, signatureHeader));
  if (expiredMatch) {
    return {
      status: "invalid",
      reason: "unknown_secret",
      message: `Unknown secret: signed with a secret of webhook "${expiredMatch.webhookName}" that expired ${expiredMatch.expiresAt?.toISOString() ?? ""}.`,
      timestamp,
      webhookId: expiredMatch.webhookId,
      webhookName: expiredMatch.webhookName,
    };
  }

  const named = namedId === null ? undefined : secrets.valid.find((s) => s.webhookId === namedId);
  if (named || (msgId.startsWith("evt_") && (await isOrgEvent(msgId)))) {
    const who = named ? `it names webhook "${named.webhookName}"` : `its webhook-id ${msgId} is one of this organization's events`;
    return {
      status: "invalid",
      reason: "tampered",
      message: `Tampered body: ${who}, but the signature does not match these bytes — the body, webhook-id or webhook-timestamp was changed after signing.`,
      timestamp,
      ...(named ? { webhookId: named.webhookId, webhookName: named.webhookName } : {}),
    };
  }
  return {
    status: "invalid",
    reason: "unknown_secret",
    message: "Unknown secret: none of this organization's webhook secrets (current or in a rotation period) signed it.",
    timestamp,
  };
}

/** A lookup for verifyCapturedRequest: is this event id one of the org's events? */
export function orgEventLookup(db: Db, orgId: number): (eventId: string) => Promise<boolean> {
  return async (eventId) => {
    const [row] = await db
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.id, eventId), eq(events.orgId, orgId)))
      .limit(1);
    return Boolean(row);
  };
}
