"use client";

import { useMemo, useState, useTransition } from "react";
import { Alert, Badge, Button, Card, CardBody, CardHeader, Field, Input, Timestamp, Table, TBody, TD, TH, THead, TR, type BadgeTone } from "@/components/ui";
import { writeDesiredAction } from "@/lib/actions/devices";
import type { ActionState } from "@/lib/actions/safe-action";
import type { DesiredView } from "@/lib/devices/desired-queries";
import { canonicalJson, type RolloutState } from "@/lib/devices/desired-state";

type Row = { name: string; value: string };

const ROLLOUT: Record<RolloutState, { label: string; tone: BadgeTone }> = {
  on_target: { label: "On target", tone: "success" },
  pending: { label: "Pending", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
  offline: { label: "Pending (offline)", tone: "neutral" },
};

export function RolloutBadge({ state }: { state: RolloutState }) {
  return (
    <Badge tone={ROLLOUT[state].tone} dot>
      {ROLLOUT[state].label}
    </Badge>
  );
}

const toRows = (config: Record<string, unknown> | null): Row[] =>
  Object.entries(config ?? {}).map(([name, value]) => ({ name, value: JSON.stringify(value) }));

const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v));

/** Rows → config; a value that is not JSON is an error (strings need quotes: "blink"). */
function parseRows(rows: Row[]): { config: Record<string, unknown>; errors: string[] } {
  const config: Record<string, unknown> = {};
  const errors: string[] = [];
  rows.forEach((r, i) => {
    const name = r.name.trim();
    if (!name && !r.value.trim()) return;
    if (!name) return errors.push(`Row ${i + 1}: enter a name`);
    if (Object.prototype.hasOwnProperty.call(config, name)) return errors.push(`"${name}" appears twice`);
    try {
      config[name] = JSON.parse(r.value);
    } catch {
      errors.push(`Value of "${name}" is not JSON (write strings in quotes, e.g. "blink")`);
    }
  });
  return { config, errors };
}

/**
 * The device page's "Desired configuration" card: a key/value editor with JSON values and the target firmware
 * (owners and admins), the diff against what the device last reported applied, and where the device stands.
 * Members see the same, read-only.
 */
export function DesiredConfigCard({
  orgSlug,
  deviceId,
  canModify,
  desired,
}: {
  orgSlug: string;
  deviceId: number;
  canModify: boolean;
  desired: DesiredView;
}) {
  const [rows, setRows] = useState<Row[]>(() => toRows(desired.config));
  const [firmware, setFirmware] = useState(desired.firmwareVersion ?? "");
  const [baseVersion, setBaseVersion] = useState(desired.version);
  const [dirty, setDirty] = useState(false);
  const [state, setState] = useState<ActionState>(null);
  const [pending, startTransition] = useTransition();

  // follow writes made elsewhere (another tab, a bulk write) while the editor is untouched
  if (!dirty && !pending && desired.version > baseVersion) {
    setRows(toRows(desired.config));
    setFirmware(desired.firmwareVersion ?? "");
    setBaseVersion(desired.version);
  }

  const parsed = useMemo(() => parseRows(rows), [rows]);
  const edit = (next: Row[]) => {
    setRows(next);
    setDirty(true);
  };
  const set = (i: number, patch: Partial<Row>) => edit(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const reported = desired.reported.config ?? {};
  const diffNames = [...new Set([...Object.keys(parsed.config), ...Object.keys(reported)])].sort();

  const save = () => {
    if (parsed.errors.length) return;
    startTransition(async () => {
      const result = await writeDesiredAction(null, {
        orgSlug,
        deviceId,
        config: parsed.config,
        firmwareVersion: firmware,
        baseVersion,
      });
      setState(result);
      if (result?.ok) {
        setDirty(false);
        setBaseVersion((result.data as { version: number }).version);
      }
    });
  };

  const errors = state && !state.ok ? Object.values(state.errors ?? {}).flat().filter(Boolean) : [];

  return (
    <Card>
      <CardHeader
        title={
          <span className="flex items-center gap-3">
            Desired configuration <RolloutBadge state={desired.rollout} />
          </span>
        }
        description={
          desired.version === 0 ? (
            "Nothing written yet. The device receives what you save here in the answer to its next status report."
          ) : (
            <span>
              Version {desired.version}
              {desired.updatedAt ? (
                <>
                  {" "}
                  written <Timestamp value={desired.updatedAt} />
                </>
              ) : null}
              {" · "}
              {desired.reported.status
                ? `device reported version ${desired.reported.version} ${desired.reported.status}`
                : "not acknowledged by the device yet"}
              {desired.reported.error ? `: ${desired.reported.error}` : ""}
            </span>
          )
        }
      />
      <CardBody className="space-y-5">
        {desired.reported.status === "failed" ? (
          <Alert tone="danger" title={`The device could not apply version ${desired.reported.version}`}>
            {desired.reported.error || "No reason given."}
          </Alert>
        ) : null}
        {canModify ? (
          <fieldset className="space-y-2" aria-label="Desired configuration">
            <legend className="text-sm font-medium text-fg">Values</legend>
            <p className="text-[13px] text-muted">Names use letters, digits and _ . : / -; values are JSON (10, true, &quot;blink&quot;, [1, 2]).</p>
            {rows.length ? (
              <ul className="space-y-1">
                {rows.map((r, i) => (
                  <li key={i} className="grid grid-cols-[minmax(0,2fr)_minmax(0,3fr)_2.25rem] gap-2">
                    <Input value={r.name} onChange={(e) => set(i, { name: e.target.value })} placeholder="sampleRate" aria-label={`Config name ${i + 1}`} className="font-mono text-xs" />
                    <Input value={r.value} onChange={(e) => set(i, { value: e.target.value })} placeholder="10" aria-label={`Config value ${i + 1}`} className="font-mono text-xs" />
                    <Button size="sm" variant="ghost" aria-label={`Remove config ${i + 1}`} onClick={() => edit(rows.filter((_, j) => j !== i))}>
                      ×
                    </Button>
                  </li>
                ))}
              </ul>
            ) : null}
            <Button size="sm" onClick={() => edit([...rows, { name: "", value: "" }])}>
              Add value
            </Button>
          </fieldset>
        ) : null}

        {canModify ? (
          <Field
            label="Target firmware"
            hint={`${desired.currentFirmware ? `The device runs ${desired.currentFirmware}. ` : ""}Leave empty for no target; the device is asked to flash it.`}
            error={state?.errors?.firmwareVersion}
          >
            <Input
              value={firmware}
              onChange={(e) => {
                setFirmware(e.target.value);
                setDirty(true);
              }}
              placeholder="2.1.0"
              className="max-w-xs font-mono"
            />
          </Field>
        ) : (
          <p className="text-sm">
            <span className="font-medium">Target firmware:</span>{" "}
            <span className="font-mono">{desired.firmwareVersion ?? "none"}</span>
            {desired.currentFirmware ? <span className="text-muted"> (running {desired.currentFirmware})</span> : null}
          </p>
        )}

        <Table aria-label="Desired configuration compared with the device">
          <THead>
            <tr>
              <TH>Name</TH>
              <TH>Device reported</TH>
              <TH>Desired</TH>
              <TH>Change</TH>
            </tr>
          </THead>
          <TBody>
            {diffNames.length === 0 ? (
              <TR>
                <TD colSpan={4} className="text-muted">
                  No values.
                </TD>
              </TR>
            ) : (
              diffNames.map((name) => {
                const inDesired = Object.prototype.hasOwnProperty.call(parsed.config, name);
                const inReported = Object.prototype.hasOwnProperty.call(reported, name);
                const change = !inReported ? "added" : !inDesired ? "removed" : canonicalJson(reported[name]) === canonicalJson(parsed.config[name]) ? "" : "changed";
                return (
                  <TR key={name}>
                    <TD className="font-mono text-xs">{name}</TD>
                    <TD className="font-mono text-xs text-muted">{show(reported[name])}</TD>
                    <TD className="font-mono text-xs">{show(parsed.config[name])}</TD>
                    <TD className="text-xs">{change ? <Badge tone={change === "removed" ? "danger" : "accent"}>{change}</Badge> : <span className="text-muted">same</span>}</TD>
                  </TR>
                );
              })
            )}
          </TBody>
        </Table>

        {canModify ? (
          <div className="flex flex-wrap items-center gap-3">
            <Button variant="primary" onClick={save} disabled={pending || parsed.errors.length > 0}>
              {pending ? "Saving…" : "Save configuration"}
            </Button>
            {parsed.errors.length ? <span className="text-sm text-danger">{parsed.errors[0]}</span> : null}
            {state?.message ? (
              <span role="status" className={state.ok ? "text-sm text-success" : "text-sm text-danger"}>
                {state.message}
                {errors.length ? ` ${errors[0]}` : ""}
              </span>
            ) : null}
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
