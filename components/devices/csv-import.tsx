"use client";

import { useState, useTransition } from "react";
import { Alert, Button, Modal, Table, TBody, TD, TH, THead, TR } from "@/components/ui";
import { importDeviceCsvAction, previewDeviceCsvAction, type CsvImportResult, type CsvPreviewResult } from "@/lib/actions/device-csv";

const PREVIEW_ROWS = 200;

/** The tokens of imported devices as a CSV the browser downloads (they are shown only this once). */
function tokensCsv(result: CsvImportResult): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ["udid,name,token", ...result.tokens.map((t) => [t.udid, t.name, t.token].map(q).join(","))].join("\n") + "\n";
}

/** "Import CSV": choose a file → a preview of every row with its errors → import all or nothing → download the tokens. */
export function CsvImport({ orgSlug }: { orgSlug: string }) {
  const [open, setOpen] = useState(false);
  const [csv, setCsv] = useState<string | null>(null);
  const [preview, setPreview] = useState<CsvPreviewResult | null>(null);
  const [result, setResult] = useState<CsvImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();

  function reset() {
    setCsv(null);
    setPreview(null);
    setResult(null);
    setError(null);
  }

  function choose(file: File | undefined) {
    reset();
    if (!file) return;
    start(async () => {
      const text = await file.text();
      setCsv(text);
      const res = await previewDeviceCsvAction(null, { orgSlug, csv: text });
      if (res?.data) setPreview(res.data as CsvPreviewResult);
      else setError(res?.errors?.csv?.[0] ?? res?.message ?? "The file could not be read.");
    });
  }

  function commit() {
    if (!csv) return;
    start(async () => {
      const res = await importDeviceCsvAction(null, { orgSlug, csv });
      if (res?.ok) setResult(res.data as CsvImportResult);
      else setError(res?.message ?? "Nothing was imported.");
    });
  }

  const bad = preview?.rows.filter((r) => r.errors.length) ?? [];
  const downloadHref = result ? `data:text/csv;charset=utf-8,${encodeURIComponent(tokensCsv(result))}` : undefined;

  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Import CSV
      </Button>
      <Modal
        open={open}
        onClose={() => {
          setOpen(false);
          reset();
        }}
        title="Import CSV"
        description="A header row, then one device per line: udid (required), name, tags (separated by ; or ,), offlineAfterSeconds. Up to 1,000 devices; all are created or none."
        size="lg"
        footer={
          result ? (
            <Button
              onClick={() => {
                setOpen(false);
                reset();
              }}
            >
              Done
            </Button>
          ) : (
            <Button variant="primary" onClick={commit} disabled={!preview?.ready || pending} pending={pending && Boolean(preview)}>
              {preview?.ready ? `Import ${preview.rows.length} device${preview.rows.length === 1 ? "" : "s"}` : "Import"}
            </Button>
          )
        }
      >
        <div className="space-y-4">
          {!result ? (
            <label className="block text-sm">
              <span className="mb-1 block font-medium">CSV file</span>
              <input type="file" accept=".csv,text/csv" onChange={(e) => choose(e.target.files?.[0])} className="text-sm" />
            </label>
          ) : null}
          {error ? <Alert tone="danger">{error}</Alert> : null}
          {preview?.problems.map((p) => (
            <Alert key={p} tone="danger">
              {p}
            </Alert>
          ))}
          {preview && preview.rows.length > 0 && !result ? (
            <>
              <p className="text-sm text-muted">
                {preview.rows.length} row{preview.rows.length === 1 ? "" : "s"}, {bad.length} with errors
                {bad.length ? " — fix them in the file and choose it again; nothing is imported while any row is wrong." : "."}
              </p>
              <div tabIndex={0} className="max-h-80 overflow-auto rounded-md border border-line">
                <Table aria-label="Preview">
                  <THead>
                    <tr>
                      <TH>Line</TH>
                      <TH>UDID</TH>
                      <TH>Name</TH>
                      <TH>Tags</TH>
                      <TH>Problems</TH>
                    </tr>
                  </THead>
                  <TBody>
                    {[...bad, ...preview.rows.filter((r) => !r.errors.length)].slice(0, PREVIEW_ROWS).map((r) => (
                      <TR key={r.line}>
                        <TD className="text-muted">{r.line}</TD>
                        <TD className="font-mono text-xs">{r.udid}</TD>
                        <TD>{r.name}</TD>
                        <TD className="text-xs">{r.tags.join(", ")}</TD>
                        <TD className="text-xs text-danger">{r.errors.join(" ")}</TD>
                      </TR>
                    ))}
                  </TBody>
                </Table>
              </div>
            </>
          ) : null}
          {result ? (
            <div className="space-y-3" data-testid="csv-import-result">
              <Alert tone="success" title={`Imported ${result.created} devices`}>
                Download their tokens now: they are shown only once. Signalpost keeps only hashes.
              </Alert>
              <a href={downloadHref} download="device-tokens.csv" className="text-sm font-medium text-accent underline">
                Download tokens (CSV)
              </a>
            </div>
          ) : null}
        </div>
      </Modal>
    </>
  );
}
