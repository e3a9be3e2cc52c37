"use client";

import { Badge } from "@/components/ui";
import type { TestEventResult } from "@/lib/delivery/test-event";

/** What came back from "Send test event": status, latency, response headers and body, or the error in words. */
export function TestResult({ result, message }: { result: TestEventResult | null | undefined; message?: string }) {
  if (!result) {
    return message ? (
      <p role="status" className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger">
        {message}
      </p>
    ) : null;
  }
  const r = result.response;
  const tone = r.ok ? "success" : r.status ? "warning" : "danger";
  return (
    <div role="status" aria-label="Test event result" className="space-y-3 rounded-md border border-line bg-canvas p-3 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={tone} dot>
          {r.status != null ? `HTTP ${r.status}` : "No response"}
        </Badge>
        <span className="text-muted">{r.durationMs} ms</span>
        <span className="text-muted">·</span>
        <code className="font-mono text-xs text-muted">{result.eventType}</code>
        <code className="truncate font-mono text-xs text-faint">{result.eventId}</code>
      </div>
      {r.error ? <p className="text-danger">{r.error}</p> : null}
      {Object.keys(r.headers).length ? (
        <details>
          <summary className="cursor-pointer text-xs font-medium text-muted">Response headers ({Object.keys(r.headers).length})</summary>
          <pre tabIndex={0} className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-all font-mono text-xs">
            {Object.entries(r.headers)
              .map(([k, v]) => `${k}: ${v}`)
              .join("\n")}
          </pre>
        </details>
      ) : null}
      {r.status != null ? (
        <div>
          <p className="text-xs font-medium text-muted">Response body</p>
          <pre tabIndex={0} className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-subtle p-2 font-mono text-xs">
            {r.body || "(empty)"}
          </pre>
        </div>
      ) : null}
    </div>
  );
}
