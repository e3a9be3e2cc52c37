import { Tabs } from "@/components/ui";

/** Settings sections: General, API keys and My notifications (every member's own). */
export function SettingsTabs({ orgSlug }: { orgSlug: string }) {
  const base = `/orgs/${orgSlug}/settings`;
  return (
    <Tabs
      label="Settings sections"
      items={[
        { href: base, label: "General" },
        { href: `${base}/api-keys`, label: "API keys" },
        { href: `${base}/notifications`, label: "My notifications" },
      ]}
    />
  );
}
