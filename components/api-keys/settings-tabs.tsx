import { Tabs } from "@/components/ui";

/** Settings sections: General and API keys. */
export function SettingsTabs({ orgSlug }: { orgSlug: string }) {
  const base = `/orgs/${orgSlug}/settings`;
  return (
    <Tabs
      label="Settings sections"
      items={[
        { href: base, label: "General" },
        { href: `${base}/api-keys`, label: "API keys" },
      ]}
    />
  );
}
