// The browser's one way to read the portal's session JSON routes, and the react-query keys of everything it reads.
// Keys are built only here, so a mutation invalidates exactly what its list pages show.

/** A refusal from a session route, with its HTTP status and the route's own message. */
export class PortalApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "PortalApiError";
  }
}

/** GETs JSON from one of the portal's session routes; a refusal throws a PortalApiError carrying the route's message. */
export async function fetchJson<T>(url: string, what: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new PortalApiError(res.status, body?.error?.message ?? `Could not load ${what} (HTTP ${res.status}).`);
  }
  return res.json() as Promise<T>;
}

/** The base path of an org's session routes. */
export function orgApiPath(orgSlug: string): string {
  return `/api/orgs/${encodeURIComponent(orgSlug)}`;
}

/** react-query keys; a prefix (e.g. `queryKeys.deliveries(org)`) invalidates everything below it. */
export const queryKeys = {
  devices: (orgSlug: string) => ["devices", orgSlug] as const,
  deviceList: (orgSlug: string, filters: unknown, after: string | null) => ["devices", orgSlug, "list", filters, after] as const,
  deviceCounts: (orgSlug: string) => ["devices", orgSlug, "counts"] as const,
  device: (orgSlug: string, id: number) => ["devices", orgSlug, "detail", id] as const,
  deliveries: (orgSlug: string) => ["deliveries", orgSlug] as const,
  deliveryList: (orgSlug: string, webhookId: number | null, filters: unknown, before: unknown) =>
    ["deliveries", orgSlug, "list", webhookId, filters, before] as const,
  delivery: (orgSlug: string, id: number) => ["deliveries", orgSlug, "detail", id] as const,
  fleetOverview: (orgSlug: string, range: string) => ["fleet", orgSlug, "overview", range] as const,
  deviceSignalChart: (orgSlug: string, deviceId: number, name: string, range: unknown) =>
    ["devices", orgSlug, "detail", deviceId, "signal", name, range] as const,
  deviceSignalsLatest: (orgSlug: string, deviceId: number) => ["devices", orgSlug, "detail", deviceId, "signals-latest"] as const,
  inboxes: (orgSlug: string) => ["inboxes", orgSlug] as const,
  inboxRequests: (orgSlug: string, inboxId: number, limit: number) => ["inbox-requests", orgSlug, inboxId, limit] as const,
  allInboxRequests: (orgSlug: string) => ["inbox-requests", orgSlug] as const,
};
