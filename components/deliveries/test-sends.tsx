import { Badge, Card, CardBody, CardHeader, Timestamp, Table, TBody, TD, TH, THead, TR } from "@/components/ui";
import type { TestSendItem } from "@/lib/delivery/log";
import { ResponseCode } from "./status-badge";

function Pre({ children }: { children: string }) {
  return <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-subtle p-2 font-mono text-xs">{children}</pre>;
}

const headerLines = (h: Record<string, string> | null) =>
  Object.entries(h ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");

/**
 * The webhook's test sends (Send test event on the saved webhook), each marked Test, with the request that was sent
 * and what came back. Not deliveries: no retries, and the health figures above leave them out.
 */
export function TestSends({ items }: { items: TestSendItem[] }) {
  if (items.length === 0) return null;
  return (
    <Card className="mt-6" data-testid="test-sends">
      <CardHeader title="Test sends" description="Sent with Send test event; not counted in the health figures." />
      <CardBody className="p-0">
        <Table>
          <THead>
            <TR>
              <TH>Kind</TH>
              <TH>Event</TH>
              <TH>Response</TH>
              <TH>Sent</TH>
            </TR>
          </THead>
          <TBody>
            {items.map((t) => (
              <TR key={t.id} data-testid="test-send-row">
                <TD>
                  <Badge tone="accent">Test</Badge>
                </TD>
                <TD className="min-w-0">
                  <code className="font-mono text-xs">{t.eventType ?? "webhook.test"}</code>
                  <details className="mt-1 text-xs">
                    <summary className="cursor-pointer text-muted">Request and response</summary>
                    <p className="mt-2 font-medium">
                      {t.requestMethod} <span className="break-all font-mono">{t.requestUrl}</span>
                    </p>
                    <Pre>{headerLines(t.requestHeaders)}</Pre>
                    <Pre>{t.requestBody}</Pre>
                    {t.responseStatus != null ? (
                      <>
                        <p className="mt-2 font-medium">Response {t.responseStatus}</p>
                        <Pre>{headerLines(t.responseHeaders)}</Pre>
                        <Pre>{t.responseBody ?? ""}</Pre>
                      </>
                    ) : null}
                  </details>
                </TD>
                <TD>
                  <div className="flex items-center gap-2">
                    <ResponseCode code={t.responseStatus} />
                    {t.durationMs != null ? <span className="text-xs text-muted">{t.durationMs} ms</span> : null}
                  </div>
                  {t.error ? <p className="mt-0.5 max-w-[18rem] break-words text-xs text-danger">{t.error}</p> : null}
                </TD>
                <TD>
                  <Timestamp value={t.attemptedAt} className="text-muted" />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      </CardBody>
    </Card>
  );
}
