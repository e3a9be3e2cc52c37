/** GETs JSON from one of the portal's session routes; a refusal throws an Error carrying the route's own message. */
export async function fetchJson<T>(url: string, what: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `Could not load ${what} (HTTP ${res.status}).`);
  }
  return res.json() as Promise<T>;
}
