import { Badge, type BadgeTone } from "@/components/ui";
import type { DeviceStatusName } from "@/lib/validation/devices";

export const STATUS_LABELS: Record<DeviceStatusName, string> = {
  online: "Online",
  offline: "Offline",
  utilizing: "Utilizing",
  unplugged: "Unplugged",
};

const TONES: Record<DeviceStatusName, BadgeTone> = {
  online: "success",
  offline: "neutral",
  utilizing: "accent",
  unplugged: "warning",
};

/** A device's status as a coloured pill ("Online", "Offline", "Utilizing", "Unplugged"). */
export function DeviceStatusBadge({ status }: { status: DeviceStatusName }) {
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
