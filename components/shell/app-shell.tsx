"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { Logo } from "@/components/accounts/logo";
import { cn, focusRing, focusRingInset } from "@/components/ui";
import { NAV_ICONS } from "./icons";
import { OrgSwitcher, type ShellOrg } from "./org-switcher";
import { UserMenu } from "./user-menu";

const NAV = [
  { segment: "", label: "Overview", icon: NAV_ICONS.overview },
  { segment: "devices", label: "Devices", icon: NAV_ICONS.devices },
  { segment: "webhooks", label: "Webhooks", icon: NAV_ICONS.webhooks },
  { segment: "deliveries", label: "Deliveries", icon: NAV_ICONS.deliveries },
  { segment: "events", label: "Events", icon: NAV_ICONS.events },
  { segment: "inbox", label: "Inbox", icon: NAV_ICONS.inbox },
  { segment: "emails", label: "Emails", icon: NAV_ICONS.emails },
] as const;

const ORG_NAV = [
  { segment: "members", label: "Members", icon: NAV_ICONS.members },
  { segment: "audit", label: "Audit log", icon: NAV_ICONS.audit },
  { segment: "api-reference", label: "API reference", icon: NAV_ICONS.reference },
  { segment: "settings", label: "Settings", icon: NAV_ICONS.settings },
] as const;

function NavLink({ href, label, icon, active }: { href: string; label: string; icon: ReactNode; active: boolean }) {
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors",
        focusRingInset,
        active ? "bg-accent-soft text-accent" : "text-muted hover:bg-subtle hover:text-fg",
      )}
    >
      {icon}
      {label}
    </Link>
  );
}

/**
 * The portal frame: sidebar with org switcher, navigation and user menu; on narrow screens a top bar whose menu
 * button opens the sidebar as a drawer. The link of the current section is highlighted (aria-current="page").
 */
export function AppShell({
  org,
  orgs,
  user,
  children,
}: {
  org: ShellOrg;
  orgs: ShellOrg[];
  user: { name: string; email: string };
  children: ReactNode;
}) {
  const pathname = usePathname();
  const [drawer, setDrawer] = useState(false);
  const base = `/orgs/${org.slug}`;
  // "" is the org's landing page (the fleet overview), active only on itself
  const isActive = (segment: string) =>
    segment === "" ? pathname === base : pathname === `${base}/${segment}` || pathname.startsWith(`${base}/${segment}/`);
  const hrefOf = (segment: string) => (segment ? `${base}/${segment}` : base);

  // Close the drawer after navigating, and on Escape.
  const [lastPath, setLastPath] = useState(pathname);
  if (lastPath !== pathname) {
    setLastPath(pathname);
    setDrawer(false);
  }
  useEffect(() => {
    if (!drawer) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setDrawer(false);
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [drawer]);

  const sidebar = (
    // on wide screens the column (aside) runs the page's full height, and this stays in view while the page scrolls
    <div className="flex h-full flex-col gap-4 px-3 py-4 md:sticky md:top-0 md:h-dvh">
      <div className="hidden px-1.5 md:block">
        <Link href={base} aria-label="Signalpost home">
          <Logo />
        </Link>
      </div>
      <OrgSwitcher current={org} orgs={orgs} />
      <nav aria-label="Main" className="flex-1 overflow-y-auto">
        <ul className="space-y-0.5">
          {NAV.map((item) => (
            <li key={item.segment}>
              <NavLink href={hrefOf(item.segment)} label={item.label} icon={item.icon} active={isActive(item.segment)} />
            </li>
          ))}
        </ul>
        <p className="mb-1 mt-6 px-2.5 text-xs font-medium text-faint">Organization</p>
        <ul className="space-y-0.5">
          {ORG_NAV.map((item) => (
            <li key={item.segment}>
              <NavLink href={`${base}/${item.segment}`} label={item.label} icon={item.icon} active={isActive(item.segment)} />
            </li>
          ))}
        </ul>
      </nav>
      <div className="border-t border-line pt-3">
        <UserMenu user={user} />
      </div>
    </div>
  );

  return (
    <div className="min-h-dvh md:flex">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-surface px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:left-3 focus:top-3"
      >
        Skip to content
      </a>

      {/* Narrow screens: top bar with a menu button */}
      <header className="sticky top-0 z-30 flex h-14 items-center justify-between border-b border-line bg-surface/95 px-4 backdrop-blur md:hidden">
        <Link href={base} aria-label="Signalpost home">
          <Logo />
        </Link>
        <button
          type="button"
          aria-expanded={drawer}
          aria-controls="sidebar"
          onClick={() => setDrawer((d) => !d)}
          className={cn("rounded-md p-2 text-muted hover:bg-subtle hover:text-fg", focusRing)}
        >
          <span className="sr-only">{drawer ? "Close menu" : "Open menu"}</span>
          <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true" className="size-5">
            {drawer ? <path d="M6 6l12 12M18 6 6 18" /> : <path d="M4 7h16M4 12h16M4 17h16" />}
          </svg>
        </button>
      </header>

      {drawer ? (
        <div aria-hidden="true" className="fixed inset-0 z-30 bg-black/40 md:hidden" onClick={() => setDrawer(false)} />
      ) : null}

      <aside
        id="sidebar"
        className={cn(
          "fixed inset-y-0 left-0 z-40 w-64 border-r border-line bg-surface transition-transform md:static md:w-60 md:translate-x-0 md:shrink-0 md:self-stretch",
          drawer ? "translate-x-0 shadow-xl" : "-translate-x-full md:shadow-none",
          !drawer && "invisible md:visible",
        )}
      >
        {sidebar}
      </aside>

      <main id="main" className="min-w-0 flex-1">
        <div className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6 md:px-10 md:py-8">{children}</div>
      </main>
    </div>
  );
}
