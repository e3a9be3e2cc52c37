"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "./cn";
import { focusRingInset } from "./focus";

export type TabItem = { href: string; label: string; count?: number };

/**
 * Navigation tabs as links; the tab whose href matches the current path (or, with `prefix`, starts it) is marked
 * aria-current="page".
 */
export function Tabs({ items, prefix = false, className, label = "Sections" }: { items: TabItem[]; prefix?: boolean; className?: string; label?: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className={cn("mb-6 border-b border-line", className)}>
      <ul className="-mb-px flex gap-5 overflow-x-auto">
        {items.map((item) => {
          const active = prefix ? pathname === item.href || pathname.startsWith(`${item.href}/`) : pathname === item.href;
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "inline-flex items-center gap-1.5 whitespace-nowrap rounded-t-sm border-b-2 px-0.5 pb-2.5 pt-1 text-sm font-medium transition-colors",
                  focusRingInset,
                  active ? "border-accent text-fg" : "border-transparent text-muted hover:border-line-strong hover:text-fg",
                )}
              >
                {item.label}
                {item.count != null ? (
                  <span className="rounded-full bg-subtle px-1.5 text-xs text-muted">{item.count}</span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
