"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, useTransition } from "react";
import { Alert, Button, Card, CardBody, CardHeader, ConfirmDialog, EmptyState, Field, Input, Timestamp, Select, Table, TBody, TD, TH, THead, TR } from "@/components/ui";
import { fetchJson } from "@/components/ui/portal-api";
import { bulkWriteDesiredAction, previewBulkDesiredAction } from "@/lib/actions/devices";
import type { ActionState } from "@/lib/actions/safe-action";
import type { RolloutState } from "@/lib/devices/desired-state";
import type { RolloutSummary } from "@/lib/devices/desired-queries";
import { RolloutBadge } from "./desired-config";
import { DeviceStatusBadge } from "./status-badge";

const POLL_MS = 2_500;

const SEGMENTS: { state: RolloutState; label: string; className: string }[] = [
  { state: "on_target", label: "On target", className: "bg-success" },
  { state: "pending", label: "Pending", className: "bg-warning" },
  { state: "failed", label: "Failed", className: "bg-danger" },
  { state: "offline", label: "Offline", className: "bg-line-strong" },
];

async function fetchRollout(orgSlug: string, tag: string): Promise<RolloutSummary> {
  const q = tag ? `?tag=${encodeURIComponent(tag)}` : "";
  return fetchJson(`/api/orgs/${encodeURIComponent(orgSlug)}/devices/rollout${q}`, "the rollout");
}

/** The rollout view: for a tag or the whole org, where devices stand against their desired state, live. */
export function Rollout({ orgSlug, tags, canModify, initial }: { orgSlug: string; tags: string[]; canModify: boolean; initial: RolloutSummary }) {
  const [tag, setTag] = useState(initial.tag ?? "");
  const { data, error } = useQuery({
    queryKey: ["rollout", orgSlug, tag],
    queryFn: () => fetchRollout(orgSlug, tag),
    initialData: tag === (initial.tag ?? "") ? initial : undefined,
    refetchInterval: POLL_MS,
    staleTime: 0,
  });
  const total = data?.total ?? 0;
  const pct = (n: number) => (total ? (100 * n) / total : 0);
  const onTarget = data?.counts.on_target ?? 0;

  return (
    <div className="space-y-6">
      {error ? (
        <Alert tone="danger" title="Live updates paused">
          {error.message}
        </Alert>
      ) : null}
      <Card>
        <CardHeader
          title="Progress"
          description="Devices on their desired configuration version and target firmware, updated live."
          actions={
            <div className="w-48">
              <label htmlFor="rollout-tag" className="sr-only">
                Tag
              </label>
              <Select id="rollout-tag" value={tag} onChange={(e) => setTag(e.target.value)}>
                <option value="">Whole organization</option>
                {tags.map((t) => (
                  <option key={t} value={t}>
                    Tag: {t}
                  </option>
                ))}
              </Select>
            </div>
          }
        />
        <CardBody className="space-y-4">
          <div
            role="progressbar"
            aria-label="Devices on target"
            aria-valuemin={0}
            aria-valuemax={total}
            aria-valuenow={onTarget}
            className="flex h-3 w-full overflow-hidden rounded-full bg-subtle"
          >
            {SEGMENTS.map((s) => (
              <div key={s.state} className={s.className} style={{ width: `${pct(data?.counts[s.state] ?? 0)}%` }} />
            ))}
          </div>
          <dl className="grid grid-cols-2 gap-4 md:grid-cols-5" aria-label="Rollout counts">
            <div>
              <dt className="text-xs font-medium uppercase tracking-wide text-muted">Devices</dt>
              <dd className="mt-1 text-2xl font-semibold">{total}</dd>
            </div>
            {SEGMENTS.map((s) => (
              <div key={s.state}>
                <dt className="flex items-center gap-2 text-xs font-medium uppercase tracking-wide text-muted">
                  <span className={`inline-block size-2 rounded-full ${s.className}`} aria-hidden="true" />
                  {s.label}
                </dt>
                <dd className="mt-1 text-2xl font-semibold" data-testid={`rollout-${s.state}`}>
                  {data?.counts[s.state] ?? 0}
                  <span className="ml-2 text-sm font-normal text-muted">{total ? `${Math.round(pct(data?.counts[s.state] ?? 0))} %` : ""}</span>
                </dd>
              </div>
            ))}
          </dl>
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Laggards" description="Devices not on target yet: failed first, then pending, then offline." />
        {!data || data.laggards.length === 0 ? (
          <EmptyState title="Every device is on target" text="Write a configuration or a target firmware to start a rollout." />
        ) : (
          <Table aria-label="Laggards">
            <THead>
              <tr>
                <TH>Device</TH>
                <TH>State</TH>
                <TH>Config version</TH>
                <TH>Firmware</TH>
                <TH>Last seen</TH>
              </tr>
            </THead>
            <TBody>
              {data.laggards.map((d) => (
                <TR key={d.id}>
                  <TD>
                    <Link href={`/orgs/${orgSlug}/devices/${d.id}`} className="font-medium text-accent underline-offset-2 hover:underline">
                      {d.name}
                    </Link>
                    <span className="block font-mono text-[11px] text-muted">{d.udid}</span>
                  </TD>
                  <TD>
                    <span className="flex flex-wrap items-center gap-2">
                      <RolloutBadge state={d.rollout} /> <DeviceStatusBadge status={d.status} />
                    </span>
                    {d.reportedError ? (
                      <span className={d.rollout === "failed" ? "block text-xs text-danger" : "block text-xs text-muted"}>
                        {d.reportedVersion !== d.desiredVersion ? `version ${d.reportedVersion}: ` : ""}
                        {d.reportedError}
                      </span>
                    ) : null}
                  </TD>
                  <TD className="font-mono text-xs">
                    {d.reportedVersion} / {d.desiredVersion}
                  </TD>
                  <TD className="font-mono text-xs">
                    {d.firmwareVersion ?? "—"}
                    {d.targetFirmware && d.targetFirmware !== d.firmwareVersion ? ` → ${d.targetFirmware}` : ""}
                  </TD>
                  <TD className="whitespace-nowrap text-muted">{d.lastSeenAt ? <Timestamp value={d.lastSeenAt} /> : "Never"}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>

      {canModify ? <BulkWrite orgSlug={orgSlug} tags={tags} defaultTag={tag} /> : null}
    </div>
  );
}

type Row = { name: string; value: string };

/** Bulk write by tag: names to set (JSON values), names to remove, the target firmware; a preview count first. */
function BulkWrite({ orgSlug, tags, defaultTag }: { orgSlug: string; tags: string[]; defaultTag: string }) {
  const [tag, setTag] = useState(defaultTag || tags[0] || "");
  const [rows, setRows] = useState<Row[]>([{ name: "", value: "" }]);
  const [remove, setRemove] = useState("");
  const [firmware, setFirmware] = useState<"keep" | "set" | "clear">("keep");
  const [firmwareVersion, setFirmwareVersion] = useState("");
  const [preview, setPreview] = useState<{ matched: number; changing: number } | null>(null);
  const [state, setState] = useState<ActionState>(null);
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();
  const queryClient = useQueryClient();

  const build = (): { input: Record<string, unknown> } | { error: string } => {
    const set: Record<string, unknown> = {};
    for (const r of rows) {
      const name = r.name.trim();
      if (!name && !r.value.trim()) continue;
      if (!name) return { error: "Enter a name for every value" };
      try {
        set[name] = JSON.parse(r.value);
      } catch {
        return { error: `Value of "${name}" is not JSON (write strings in quotes, e.g. "blink")` };
      }
    }
    const removeNames = remove.split(/[,\s]+/).filter(Boolean);
    return { input: { orgSlug, tag, set, remove: removeNames, firmware, firmwareVersion } };
  };
  const built = build();
  const invalidate = () => {
    setPreview(null);
    setState(null);
  };
  const edit = (i: number, patch: Partial<Row>) => {
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    invalidate();
  };

  const runPreview = () => {
    if (!("input" in built)) return;
    startTransition(async () => {
      const result = await previewBulkDesiredAction(null, built.input);
      setState(result?.ok ? null : result);
      setPreview(result?.ok ? (result.data as { matched: number; changing: number }) : null);
    });
  };
  const write = () => {
    if (!("input" in built)) return;
    startTransition(async () => {
      const result = await bulkWriteDesiredAction(null, built.input);
      setState(result);
      setConfirming(false);
      setPreview(null);
      await queryClient.invalidateQueries({ queryKey: ["rollout", orgSlug] });
    });
  };
  const errors = state && !state.ok ? Object.values(state.errors ?? {}).flat().filter(Boolean) : [];

  return (
    <Card>
      <CardHeader title="Write to every device with a tag" description="Values are merged into each device's desired configuration; one transaction for all devices." />
      <CardBody className="space-y-4">
        <Field label="Tag">
          <Select
            value={tag}
            onChange={(e) => {
              setTag(e.target.value);
              invalidate();
            }}
          >
            {tags.length === 0 ? <option value="">No tags yet</option> : null}
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </Field>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-fg">Set values</legend>
          <ul className="space-y-1">
            {rows.map((r, i) => (
              <li key={i} className="grid grid-cols-[minmax(0,2fr)_minmax(0,3fr)_2.25rem] gap-2">
                <Input value={r.name} onChange={(e) => edit(i, { name: e.target.value })} placeholder="sampleRate" aria-label={`Bulk name ${i + 1}`} className="font-mono text-xs" />
                <Input value={r.value} onChange={(e) => edit(i, { value: e.target.value })} placeholder="10" aria-label={`Bulk value ${i + 1}`} className="font-mono text-xs" />
                <Button size="sm" variant="ghost" aria-label={`Remove row ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  ×
                </Button>
              </li>
            ))}
          </ul>
          <Button size="sm" onClick={() => setRows([...rows, { name: "", value: "" }])}>
            Add value
          </Button>
        </fieldset>
        <Field label="Remove names" hint="Separated by commas.">
          <Input
            value={remove}
            onChange={(e) => {
              setRemove(e.target.value);
              invalidate();
            }}
            className="font-mono text-xs"
          />
        </Field>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Target firmware">
            <Select
              value={firmware}
              onChange={(e) => {
                setFirmware(e.target.value as "keep" | "set" | "clear");
                invalidate();
              }}
            >
              <option value="keep">Keep as it is</option>
              <option value="set">Set to…</option>
              <option value="clear">Clear the target</option>
            </Select>
          </Field>
          {firmware === "set" ? (
            <Field label="Firmware version" error={state?.errors?.firmwareVersion}>
              <Input
                value={firmwareVersion}
                onChange={(e) => {
                  setFirmwareVersion(e.target.value);
                  invalidate();
                }}
                placeholder="2.1.0"
                className="font-mono"
              />
            </Field>
          ) : null}
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button onClick={runPreview} disabled={pending || !("input" in built) || !tag}>
            Preview
          </Button>
          <Button variant="primary" onClick={() => setConfirming(true)} disabled={pending || !preview || preview.changing === 0}>
            {preview ? `Write to ${preview.changing} device${preview.changing === 1 ? "" : "s"}` : "Write"}
          </Button>
          {"error" in built ? <span className="text-sm text-danger">{built.error}</span> : null}
          {preview ? (
            <span role="status" className="text-sm text-muted">
              {preview.changing} of {preview.matched} device{preview.matched === 1 ? "" : "s"} tagged {tag} would change.
            </span>
          ) : null}
          {state?.message ? (
            <span role="status" className={state.ok ? "text-sm text-success" : "text-sm text-danger"}>
              {state.message}
              {errors.length ? ` ${errors[0]}` : ""}
            </span>
          ) : null}
        </div>
      </CardBody>
      <ConfirmDialog
        open={confirming}
        onCancel={() => setConfirming(false)}
        onConfirm={write}
        pending={pending}
        tone="primary"
        title={`Write to ${preview?.changing ?? 0} devices tagged ${tag}?`}
        description="Each device gets a new configuration version and receives it on its next report. Webhooks receive device.config.written for each."
        confirmLabel="Write"
      />
    </Card>
  );
}
