/**
 * Links from a delivery back into the portal (the `deviceUrl` template variable, e.g. the chat presets). Isomorphic:
 * on the server the base is APP_URL (else http://localhost:$PORT, as email links); in the browser's request preview
 * it is the page's own origin. The link names the org by id and the device by udid (what an envelope carries);
 * /go/device/{orgId}/{udid} checks the session and membership, then redirects to the device page.
 */
export function portalBaseUrl(): string {
  if (typeof window !== "undefined" && window.location?.origin) return window.location.origin;
  const env: Record<string, string | undefined> = typeof process !== "undefined" ? process.env : {};
  return (env.APP_URL?.trim() || `http://localhost:${env.PORT ?? 3000}`).replace(/\/+$/, "");
}

/** The portal link of an event's device, or null for an event about no device. */
export function deviceUrl(envelope: { orgId: number; deviceUdid: string | null }): string | null {
  if (!envelope.deviceUdid) return null;
  return `${portalBaseUrl()}/go/device/${envelope.orgId}/${encodeURIComponent(envelope.deviceUdid)}`;
}
