"use client";

import { useState } from "react";
import { Button, Card, CardHeader, Input, Select, Textarea } from "@/components/ui";

export type TryOperation = { id: string; method: string; path: string; summary: string; example?: string };

/**
 * "Try it": calls the API from this page with a key pasted here (kept in this page's memory only, never stored or
 * sent anywhere but this server's /api/v1), and shows the status and the JSON that came back.
 */
export function TryIt({ operations }: { operations: TryOperation[] }) {
  const [key, setKey] = useState("");
  const [opId, setOpId] = useState(operations[0]?.id ?? "");
  const op = operations.find((o) => o.id === opId) ?? operations[0];
  const [path, setPath] = useState(op?.path ?? "");
  const [body, setBody] = useState(op?.example ?? "");
  const [answer, setAnswer] = useState<{ status: number; text: string } | null>(null);
  const [pending, setPending] = useState(false);

  function pick(id: string) {
    const next = operations.find((o) => o.id === id);
    setOpId(id);
    setPath(next?.path ?? "");
    setBody(next?.example ?? "");
    setAnswer(null);
  }

  async function send() {
    if (!op || !path.startsWith("/api/v1/")) return;
    setPending(true);
    try {
      const hasBody = op.method !== "get" && op.method !== "delete";
      const res = await fetch(path, {
        method: op.method.toUpperCase(),
        headers: { authorization: `Bearer ${key.trim()}`, ...(hasBody ? { "content-type": "application/json" } : {}) },
        body: hasBody ? body || "{}" : undefined,
      });
      const text = await res.text();
      let pretty = text;
      try {
        pretty = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // not JSON (e.g. 204)
      }
      setAnswer({ status: res.status, text: pretty });
    } catch (err) {
      setAnswer({ status: 0, text: String(err) });
    } finally {
      setPending(false);
    }
  }

  return (
    <Card>
      <CardHeader title="Try it" description="Paste an API key (it stays in this page only), pick an operation, fill in the path's ids and send." />
      <div className="space-y-3 px-5 py-4">
        <label className="block text-sm">
          <span className="mb-1 block font-medium">API key</span>
          <Input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} placeholder="spk_…" />
        </label>
        <div className="grid gap-3 sm:grid-cols-[16rem_minmax(0,1fr)]">
          <label className="block text-sm">
            <span className="mb-1 block font-medium">Operation</span>
            <Select value={opId} onChange={(e) => pick(e.target.value)}>
              {operations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.method.toUpperCase()} {o.summary}
                </option>
              ))}
            </Select>
          </label>
          <label className="block text-sm">
            <span className="mb-1 block font-medium">Path</span>
            <Input value={path} onChange={(e) => setPath(e.target.value)} className="font-mono" />
          </label>
        </div>
        {op && op.method !== "get" && op.method !== "delete" ? (
          <label className="block text-sm">
            <span className="mb-1 block font-medium">Body (JSON)</span>
            <Textarea rows={5} value={body} onChange={(e) => setBody(e.target.value)} className="font-mono text-xs" />
          </label>
        ) : null}
        <Button variant="primary" onClick={send} pending={pending} disabled={!key.trim() || /\{\w+\}/.test(path)}>
          Send
        </Button>
        {answer ? (
          <div aria-live="polite">
            <p className="mb-1 text-sm font-medium">HTTP {answer.status}</p>
            <pre tabIndex={0} aria-label="Response body" className="max-h-96 overflow-auto rounded-md border border-line bg-subtle px-3 py-2.5 font-mono text-xs">{answer.text || "(empty body)"}</pre>
          </div>
        ) : null}
      </div>
    </Card>
  );
}
