"use client";

import { useSyncExternalStore } from "react";
import type { InboxRequestsResponse, InboxSummary } from "@/lib/inbox/types";

/** react-query keys of the inbox feature. */
export const inboxKeys = {
  list: (orgSlug: string) => ["inboxes", orgSlug] as const,
  requests: (orgSlug: string, inboxId: number, limit: number) => ["inbox-requests", orgSlug, inboxId, limit] as const,
  allRequests: (orgSlug: string) => ["inbox-requests", orgSlug] as const,
};

/** An HTTP error from the inbox JSON routes, with the server's message. */
export class InboxApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new InboxApiError(res.status, json?.error?.message ?? `The server answered ${res.status}.`);
  return json as T;
}

/** GET /api/orgs/{slug}/inboxes */
export async function fetchInboxes(orgSlug: string): Promise<InboxSummary[]> {
  return (await getJson<{ inboxes: InboxSummary[] }>(`/api/orgs/${encodeURIComponent(orgSlug)}/inboxes`)).inboxes;
}

/** GET /api/orgs/{slug}/inboxes/{id}/requests?limit= */
export function fetchInboxRequests(orgSlug: string, inboxId: number, limit: number): Promise<InboxRequestsResponse> {
  return getJson(`/api/orgs/${encodeURIComponent(orgSlug)}/inboxes/${inboxId}/requests?limit=${limit}`);
}

/** URL of a captured body's exact bytes (a download). */
export function requestBodyUrl(orgSlug: string, inboxId: number, requestId: number): string {
  return `/api/orgs/${encodeURIComponent(orgSlug)}/inboxes/${inboxId}/requests/${requestId}/body`;
}

const noSubscribe = () => () => undefined;

/** The page's origin (window.location.origin), with the server's idea of it during server rendering. */
export function useOrigin(serverOrigin: string): string {
  return useSyncExternalStore(noSubscribe, () => window.location.origin, () => serverOrigin);
}
