"use client";

import Link from "next/link";
import { useState } from "react";
import { Checkbox, Input } from "@/components/ui";

export type PickerDevice = { id: number; udid: string; name: string; tags: string[] };

/**
 * A filterable checklist of the org's devices (by name, UDID or tag) with a selected count: the "Selected devices"
 * scope of the webhook form and of My notifications. The caller owns the selection and its hidden inputs.
 */
export function DevicePicker({
  devices,
  selected,
  onChange,
  orgSlug,
}: {
  devices: PickerDevice[];
  selected: number[];
  onChange: (ids: number[]) => void;
  /** When given, the empty state links to the device list. */
  orgSlug?: string;
}) {
  const [filter, setFilter] = useState("");
  if (devices.length === 0) {
    return (
      <p className="text-sm text-muted">
        This organization has no devices yet.
        {orgSlug ? (
          <>
            {" "}
            <Link href={`/orgs/${orgSlug}/devices`} className="text-accent underline-offset-2 hover:underline">
              Add devices
            </Link>{" "}
            first.
          </>
        ) : null}
      </p>
    );
  }
  const q = filter.trim().toLowerCase();
  const shown = devices.filter(
    (d) => !q || d.name.toLowerCase().includes(q) || d.udid.toLowerCase().includes(q) || d.tags.some((t) => t.toLowerCase().includes(q)),
  );
  return (
    <>
      <Input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter by name, UDID or tag" aria-label="Filter devices" />
      <ul className="max-h-56 divide-y divide-line overflow-auto rounded-md border border-line">
        {shown.map((d) => (
          <li key={d.id} className="px-3 py-1.5">
            <Checkbox
              id={`device-${d.id}`}
              label={
                <span>
                  {d.name} <span className="font-mono text-xs text-muted">{d.udid}</span>
                </span>
              }
              checked={selected.includes(d.id)}
              onChange={(e) => onChange(e.target.checked ? [...selected, d.id] : selected.filter((x) => x !== d.id))}
            />
          </li>
        ))}
      </ul>
      <p className="text-xs text-muted">{selected.length} selected</p>
    </>
  );
}
