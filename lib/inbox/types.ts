/** Shapes the inbox JSON routes answer with (isomorphic: the browser reads them). */

export type InvalidReason = "tampered" | "unknown_secret" | "timestamp_too_old" | "timestamp_too_new" | "malformed";

/** The "Signature" line of a captured request. `timestamp` is webhook-timestamp in unix seconds. */
export type SignatureVerdict =
  | { status: "unsigned" }
  | { status: "verified"; timestamp: number; webhookId: number; webhookName: string; rotatedOut: boolean }
  | {
      status: "invalid";
      reason: InvalidReason;
      message: string;
      timestamp: number | null;
      webhookId?: number;
      webhookName?: string;
    };

/** An inbox as the list shows it. */
export type InboxSummary = {
  id: number;
  name: string;
  token: string;
  responseStatus: number;
  responseDelayMs: number;
  requestCount: number;
  lastRequestAt: string | null;
  createdAt: string;
};

/** A captured request as the page shows it (the body may be cut to an excerpt; `size` is the full size). */
export type InboxRequestView = {
  id: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  bodyEncoding: "utf8" | "base64";
  bodyTruncated: boolean;
  size: number;
  receivedAt: string;
  signature: SignatureVerdict;
};

export type InboxRequestsResponse = {
  inbox: InboxSummary;
  requests: InboxRequestView[];
  total: number;
  retention: number;
  serverTime: string;
};
