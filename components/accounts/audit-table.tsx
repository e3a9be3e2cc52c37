import { Badge, Card, EmptyState, Pagination, Table, TBody, TD, TH, THead, Timestamp, TR } from "@/components/ui";
import type { AuditRow } from "@/lib/audit";

/** The audit log page body: who did what, when, newest first, with Newer/Older pagination. */
export function AuditTable({
  entries,
  page,
  pageCount,
  total,
  basePath,
}: {
  entries: AuditRow[];
  page: number;
  pageCount: number;
  total: number;
  basePath: string;
}) {
  if (total === 0) {
    return (
      <Card>
        <EmptyState
          title="Nothing recorded yet"
          text="Changes to members, settings, devices and webhooks appear here with who made them and when."
        />
      </Card>
    );
  }
  const href = (p: number) => (p <= 1 ? basePath : `${basePath}?page=${p}`);
  return (
    <Card>
      <Table>
        <THead>
          <tr>
            <TH className="sm:w-40">When</TH>
            <TH className="hidden w-56 sm:table-cell">Who</TH>
            <TH>What</TH>
          </tr>
        </THead>
        <TBody>
          {entries.map((e) => (
            <TR key={e.id}>
              <TD className="whitespace-nowrap text-muted">
                <Timestamp value={e.createdAt} />
              </TD>
              <TD className="hidden sm:table-cell">
                {e.system ? (
                  <Badge>System</Badge>
                ) : e.actorApiKey ? (
                  <span className="truncate font-mono text-xs">{e.actorApiKey}</span>
                ) : e.actorName ? (
                  <div className="min-w-0">
                    <div className="truncate font-medium">{e.actorName}</div>
                    <div className="truncate text-xs text-muted">{e.actorEmail}</div>
                  </div>
                ) : (
                  <span className="text-muted">Deleted user</span>
                )}
              </TD>
              <TD>
                <div className="[overflow-wrap:anywhere]">{e.summary}</div>
                <div className="text-xs text-muted sm:hidden">
                  by {e.system ? "System" : (e.actorApiKey ?? e.actorName ?? "a deleted user")}
                </div>
                <div className="font-mono text-xs text-faint">{e.action}</div>
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
      <Pagination
        summary={
          <>
            {pageCount > 1 ? `Page ${page} of ${pageCount} · ` : ""}
            {total} {total === 1 ? "entry" : "entries"}
          </>
        }
        previous={page > 1 ? { href: href(page - 1) } : null}
        next={page < pageCount ? { href: href(page + 1) } : null}
        previousLabel="← Newer"
        nextLabel="Older →"
        className="px-5"
      />
    </Card>
  );
}
