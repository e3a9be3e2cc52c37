"use client";

import { useSyncExternalStore } from "react";
import { Alert, CopyButton } from "@/components/ui";

const subscribe = () => () => undefined;

/** The page's origin on the client (the server renders a placeholder until hydration). */
function useOrigin(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.origin,
    () => "http://localhost:3000",
  );
}

/** Shell-quotes a value for the curl examples. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The device API calls a device makes, ready to paste into a terminal. */
export function curlExamples(origin: string, udid: string, token: string) {
  const base = `${origin}/api/v1/devices/${encodeURIComponent(udid)}`;
  const status = [
    `curl -X POST ${q(`${base}/status`)} \\`,
    `  -H ${q(`Authorization: Bearer ${token}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"status":"online","firmwareVersion":"1.0.0"}'`,
  ].join("\n");
  const signals = [
    `curl -X POST ${q(`${base}/signals`)} \\`,
    `  -H ${q(`Authorization: Bearer ${token}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"signals":{"temperature":21.5,"battery":87}}'`,
  ].join("\n");
  return { status, signals };
}

function CodeBlock({ label, code }: { label: string; code: string }) {
  return (
    <div>
      <div className="mb-1.5 flex items-center justify-between gap-2">
        <p className="text-sm font-medium text-fg">{label}</p>
        <CopyButton value={code} label="Copy command" />
      </div>
      <pre tabIndex={0} className="overflow-x-auto rounded-md border border-line bg-subtle px-3 py-2.5 font-mono text-xs leading-relaxed text-fg">
        {code}
      </pre>
    </div>
  );
}

/** A freshly issued device token, shown once, with copy buttons and curl examples for the status and signals routes. */
export function TokenReveal({ udid, token }: { udid: string; token: string }) {
  const origin = useOrigin();
  const examples = curlExamples(origin, udid, token);
  return (
    <div className="space-y-4" data-testid="token-reveal">
      <Alert tone="warning" title="Copy this token now">
        It is shown only once. Signalpost stores only a hash of it; if you lose it, regenerate the token.
      </Alert>
      <div>
        <label htmlFor="device-token" className="mb-1.5 block text-sm font-medium text-fg">
          Device token
        </label>
        <div className="flex items-center gap-2">
          <input
            id="device-token"
            readOnly
            value={token}
            onFocus={(e) => e.currentTarget.select()}
            className="h-9 min-w-0 flex-1 rounded-md border border-line-strong bg-subtle px-3 font-mono text-sm text-fg"
          />
          <CopyButton value={token} label="Copy token" size="md" variant="primary" />
        </div>
      </div>
      <CodeBlock label="Report status" code={examples.status} />
      <CodeBlock label="Send signals" code={examples.signals} />
      <p className="text-[13px] text-muted">
        A request without <code className="font-mono">status</code> is a heartbeat. The device goes offline when it is not
        heard from within its offline timeout.
      </p>
    </div>
  );
}
