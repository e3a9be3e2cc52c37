"use client";

import { useSyncExternalStore } from "react";
import { fetchJson, orgApiPath } from "@/components/ui/portal-api";
import type { InboxRequestsResponse, InboxSummary } from "@/lib/inbox/types";


/** GET /api/orgs/{slug}/inboxes */
export async function fetchInboxes(orgSlug: string): Promise<InboxSummary[]> {
  return (await fetchJson<{ inboxes: InboxSummary[] }>(`${orgApiPath(orgSlug)}/inboxes`, "inboxes")).inboxes;
}

/** GET /api/orgs/{slug}/inboxes/{id}/requests?limit= */
export function fetchInboxRequests(orgSlug: string, inboxId: number, limit: number): Promise<InboxRequestsResponse> {
  return fetchJson(`${orgApiPath(orgSlug)}/inboxes/${inboxId}/requests?limit=${limit}`, "captured requests");
}

/** URL of a captured body's exact bytes (a download). */
export function requestBodyUrl(orgSlug: string, inboxId: number, requestId: number): string {
  return `${orgApiPath(orgSlug)}/inboxes/${inboxId}/requests/${requestId}/body`;
}

const noSubscribe = () => () => undefined;

/** The page's origin (window.location.origin), with the server's idea of it during server rendering. */
export function useOrigin(serverOrigin: string): string {
  return useSyncExternalStore(noSubscribe, () => window.location.origin, () => serverOrigin);
}
