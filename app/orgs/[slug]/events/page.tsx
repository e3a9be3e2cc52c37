import type { Metadata } from "next";
import Link from "next/link";
import { Badge, buttonClasses, Card, EmptyState, Input, PageHeader, Pagination, Select, Table, TBody, TD, TH, THead, Timestamp, TR } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { listEvents } from "@/lib/delivery/event-log";
import { EVENT_CATALOG, catalogEntry } from "@/lib/events/catalog";

export const metadata: Metadata = { title: "Events" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 50;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim().slice(0, 100) || undefined;

/** /orgs/{slug}/events — every event the org produced (subscribed or not), newest first, searchable. */
export default async function EventsPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const sp = await searchParams;
  const q = one(sp.q);
  const type = one(sp.type);
  const device = one(sp.device);
  const after = one(sp.after);
  const page = await listEvents(await getDb(), ctx.orgId, {
    limit: PAGE_SIZE,
    q,
    type: type && catalogEntry(type) ? type : undefined,
    deviceUdid: device,
    startingAfter: after && /^evt_[0-9A-Z]{26}$/.test(after) ? after : undefined,
  });
  const base = `/orgs/${ctx.orgSlug}/events`;
  const filters = new URLSearchParams(Object.entries({ q, type, device }).filter((e): e is [string, string] => Boolean(e[1])));
  const last = page.events[page.events.length - 1];
  const next = page.hasMore && last ? `${base}?${new URLSearchParams([...filters, ["after", last.id]])}` : null;
  return (
    <>
      <PageHeader title="Events" description="Everything that happened in this organization, whether or not a webhook subscribed; newest first." />
      <Card className="mb-6">
        <form method="get" action={base} className="grid gap-3 px-5 py-4 sm:grid-cols-[minmax(0,1fr)_14rem_12rem_auto] sm:items-end" role="search">
          <label className="text-sm">
            <span className="mb-1 block font-medium">Search</span>
            <Input name="q" defaultValue={q} placeholder="Event id, type, device name or UDID" />
          </label>
          <label className="text-sm">
            <span className="mb-1 block font-medium">Type</span>
            <Select name="type" defaultValue={type ?? ""}>
              <option value="">All types</option>
              {EVENT_CATALOG.map((e) => (
                <option key={e.type} value={e.type}>
                  {e.description} ({e.type})
                </option>
              ))}
            </Select>
          </label>
          <label className="text-sm">
            <span className="mb-1 block font-medium">Device UDID</span>
            <Input name="device" defaultValue={device} />
          </label>
          <div className="flex gap-2">
            <button type="submit" className={buttonClasses("primary", "md")}>
              Search
            </button>
            {filters.size ? (
              <Link href={base} className={buttonClasses("secondary", "md")}>
                Clear
              </Link>
            ) : null}
          </div>
        </form>
      </Card>
      <Card>
        {page.events.length === 0 ? (
          <EmptyState
            title={filters.size ? "No events match" : "No events yet"}
            text={
              filters.size
                ? "Try another search or type, or clear the filters."
                : "Events appear when a device reports a change (status, firmware, telemetry) or a device is added or edited. Add a device and let it report to see the first one."
            }
            action={
              filters.size ? (
                <Link href={base} className={buttonClasses("secondary", "md")}>
                  Clear filters
                </Link>
              ) : (
                <Link href={`/orgs/${ctx.orgSlug}/devices`} className={buttonClasses("secondary", "md")}>
                  Go to devices
                </Link>
              )
            }
          />
        ) : (
          <Table aria-label="Events">
            <THead>
              <tr>
                <TH>Event</TH>
                <TH className="hidden md:table-cell">Device</TH>
                <TH>Deliveries</TH>
                <TH className="hidden md:table-cell">When</TH>
              </tr>
            </THead>
            <TBody>
              {page.events.map((e) => (
                <TR key={e.id}>
                  <TD>
                    <Link href={`${base}/${e.id}`} className="font-medium text-accent underline-offset-2 hover:underline">
                      {catalogEntry(e.type)?.description ?? e.type}
                    </Link>
                    <span className="block break-all font-mono text-[11px] text-muted">
                      {e.type} · {e.id}
                    </span>
                    {/* phones: the device and the time under the event (their columns are hidden) */}
                    <span className="block text-xs text-muted md:hidden">
                      {e.deviceName ? `${e.deviceName} · ` : ""}
                      <Timestamp value={e.createdAt} />
                    </span>
                  </TD>
                  <TD className="hidden md:table-cell">
                    {e.deviceUdid ? (
                      e.deviceId ? (
                        <Link href={`/orgs/${ctx.orgSlug}/devices/${e.deviceId}`} className="text-accent underline-offset-2 hover:underline">
                          {e.deviceName} <span className="font-mono text-xs text-muted">{e.deviceUdid}</span>
                        </Link>
                      ) : (
                        <span>
                          {e.deviceName} <span className="font-mono text-xs text-muted">{e.deviceUdid}</span>
                        </span>
                      )
                    ) : (
                      <span className="text-muted">—</span>
                    )}
                  </TD>
                  <TD>
                    {e.deliveryCount ? (
                      <Link href={`${base}/${e.id}#deliveries`} aria-label={`${e.deliveryCount} ${e.deliveryCount === 1 ? "delivery" : "deliveries"}`}>
                        <Badge tone="accent">{e.deliveryCount}</Badge>
                      </Link>
                    ) : (
                      <span className="text-muted">none</span>
                    )}
                  </TD>
                  <TD className="hidden whitespace-nowrap text-muted md:table-cell">
                    <Timestamp value={e.createdAt} />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
        <Pagination
          previous={after ? { href: `${base}${filters.size ? `?${filters}` : ""}` } : null}
          next={next ? { href: next } : null}
          previousLabel="Newest"
          nextLabel="Older"
        />
      </Card>
    </>
  );
}
