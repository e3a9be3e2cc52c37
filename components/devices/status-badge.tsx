import { Badge, type BadgeTone } from "@/components/ui";
import type { DeviceDisplayStatus } from "@/lib/validation/devices";

export const STATUS_LABELS: Record<DeviceDisplayStatus, string> = {
  online: "Online",
  offline: "Offline",
  utilizing: "Utilizing",
  unplugged: "Unplugged",
  never_connected: "Never connected",
};

const TONES: Record<DeviceDisplayStatus, BadgeTone> = {
  online: "success",
  offline: "neutral",
  utilizing: "accent",
  unplugged: "warning",
  never_connected: "neutral",
};

/**
 * A device's status as a coloured pill ("Online", "Offline", "Utilizing", "Unplugged", "Never connected"); pass
 * `displayStatus(device)` so a device that never made contact reads "Never connected".
 */
export function DeviceStatusBadge({ status }: { status: DeviceDisplayStatus }) {
  return (
    <span data-testid="device-status" data-status={status}>
      <Badge tone={TONES[status]} dot>
        {STATUS_LABELS[status]}
      </Badge>
    </span>
  );
}

/** Tags as small neutral chips. */
export function TagList({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="text-faint">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {tags.map((t) => (
        <span key={t} className="rounded bg-subtle px-1.5 py-0.5 font-mono text-[11px] text-muted ring-1 ring-inset ring-line">
          {t}
        </span>
      ))}
    </span>
  );
}
