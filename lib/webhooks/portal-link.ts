/**
 * Links from a delivery back into the portal (the `deviceUrl` template variable, e.g. the chat presets). The base is
 * APP_URL (else http://localhost:$PORT, as email links), read on the server. The form's request preview renders in
 * the browser too: its page hands it the server's portalBaseUrl() as a prop, so the server render, the browser's
 * first render and the deliveries all show the same link (the browser's own origin would differ from APP_URL, e.g.
 * 127.0.0.1 vs localhost, and break hydration). The link names the org by id and the device by udid (what an
 * envelope carries); /go/device/{orgId}/{udid} checks the session and membership, then redirects to the device page.
 */
export function portalBaseUrl(): string {
  const env: Record<string, string | undefined> = typeof process !== "undefined" ? process.env : {};
  return (env.APP_URL?.trim() || `http://localhost:${env.PORT ?? 3000}`).replace(/\/+$/, "");
}

/** The portal link of an event's device (under `base`, portalBaseUrl() unless given), or null for an event about no device. */
export function deviceUrl(envelope: { orgId: number; deviceUdid: string | null }, base: string = portalBaseUrl()): string | null {
  if (!envelope.deviceUdid) return null;
  return `${base.replace(/\/+$/, "")}/go/device/${envelope.orgId}/${encodeURIComponent(envelope.deviceUdid)}`;
}
