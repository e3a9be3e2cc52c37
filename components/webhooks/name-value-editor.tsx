"use client";

import { Button, Input } from "@/components/ui";
import type { NameValue } from "@/db/schema/webhooks";

/**
 * Editable name/value rows (custom headers, query parameters), at most `max`. A row marked Secret is stored
 * encrypted and never sent back to the browser: its value shows blank, and left blank keeps the saved value.
 */
export function NameValueEditor({
  legend,
  rows,
  onChange,
  max,
  noun,
  namePlaceholder,
  valuePlaceholder,
  error,
  readOnlyRows,
  hint,
  id,
}: {
  /** Id of the fieldset (the form's error summary links to it). */
  id?: string;
  legend: string;
  rows: NameValue[];
  onChange: (rows: NameValue[]) => void;
  max: number;
  noun: string;
  namePlaceholder: string;
  valuePlaceholder: string;
  error?: string[];
  readOnlyRows?: NameValue[];
  hint?: string;
}) {
  const set = (i: number, patch: Partial<NameValue>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const errorId = `${noun.replace(/\s/g, "-")}-errors`;
  return (
    <fieldset id={id} className="space-y-2" data-invalid={error?.length ? true : undefined} aria-describedby={error?.length ? errorId : undefined}>
      <legend className="text-sm font-medium text-fg">{legend}</legend>
      {hint ? <p className="text-[13px] text-muted">{hint}</p> : null}
      {readOnlyRows?.length ? (
        <ul aria-label={`Pre-filled ${noun}s (read-only)`} className="space-y-2.5 sm:space-y-1">
          {readOnlyRows.map((r) => (
            // on a phone the name sits above its value (side by side, "webhook-signature" would be cut)
            <li key={r.name} className="grid grid-cols-[minmax(0,1fr)_2.25rem] gap-x-2 gap-y-1 sm:grid-cols-[minmax(0,2fr)_minmax(0,3fr)_2.25rem] sm:gap-y-0">
              <Input value={r.name} readOnly aria-label={`Pre-filled ${noun} name`} className="col-start-1 row-start-1 font-mono text-xs text-muted" tabIndex={-1} />
              <Input
                value={r.value}
                readOnly
                aria-label={`Value of ${r.name}`}
                className="col-start-1 row-start-2 font-mono text-xs text-muted sm:col-start-2 sm:row-start-1"
                tabIndex={-1}
              />
              <span
                aria-hidden="true"
                className="col-start-2 row-span-2 row-start-1 flex items-center justify-center text-muted sm:col-start-3 sm:row-span-1"
                title="Set by Signalpost"
              >
                <svg viewBox="0 0 20 20" fill="currentColor" className="size-4">
                  <path fillRule="evenodd" d="M10 1a4.5 4.5 0 0 0-4.5 4.5V9H5a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-6a2 2 0 0 0-2-2h-.5V5.5A4.5 4.5 0 0 0 10 1Zm3 8V5.5a3 3 0 1 0-6 0V9h6Z" clipRule="evenodd" />
                </svg>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {rows.length ? (
        <ul className="space-y-1">
          {rows.map((r, i) => (
            <li key={i} className="grid grid-cols-[minmax(0,2fr)_minmax(0,3fr)_auto_2.25rem] items-center gap-2">
              <Input
                value={r.name}
                onChange={(e) => set(i, { name: e.target.value })}
                placeholder={namePlaceholder}
                aria-label={`${noun[0].toUpperCase()}${noun.slice(1)} ${i + 1} name`}
                className="font-mono text-xs"
                spellCheck={false}
              />
              <Input
                value={r.value}
                onChange={(e) => set(i, { value: e.target.value })}
                placeholder={r.secret ? "secret (blank keeps the saved value)" : valuePlaceholder}
                aria-label={`${noun[0].toUpperCase()}${noun.slice(1)} ${i + 1} value`}
                className="font-mono text-xs"
                spellCheck={false}
                type={r.secret ? "password" : "text"}
                autoComplete="off"
              />
              <label className="flex items-center gap-1 text-xs text-muted" title="Stored encrypted, masked in the delivery log and for members">
                <input
                  type="checkbox"
                  checked={Boolean(r.secret)}
                  onChange={(e) => set(i, { secret: e.target.checked })}
                  aria-label={`${noun[0].toUpperCase()}${noun.slice(1)} ${i + 1} secret`}
                />
                Secret
              </label>
              <Button
                variant="ghost"
                size="sm"
                className="h-9 px-0"
                aria-label={`Remove ${noun} ${i + 1}`}
                onClick={() => onChange(rows.filter((_, j) => j !== i))}
              >
                <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4">
                  <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
                </svg>
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      {error?.length ? (
        <ul id={errorId} className="space-y-0.5 text-[13px] text-danger">
          {error.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      <Button size="sm" onClick={() => onChange([...rows, { name: "", value: "" }])} disabled={rows.length >= max}>
        + Add {noun}
      </Button>
      {rows.length >= max ? <span className="ml-2 text-xs text-muted">At most {max}.</span> : null}
    </fieldset>
  );
}
