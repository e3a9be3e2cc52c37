"use client";

import Link from "next/link";
import { useId } from "react";
import { cn } from "@/components/ui";
import { CheckIcon, ChevronUpDown } from "./icons";
import { usePopover } from "./use-popover";

export type ShellOrg = { slug: string; name: string; role: string };

function Initial({ name }: { name: string }) {
  return (
    <span
      aria-hidden="true"
      className="flex size-6 shrink-0 items-center justify-center rounded bg-accent-soft text-xs font-semibold text-accent"
    >
      {name.trim().charAt(0).toUpperCase() || "?"}
    </span>
  );
}

/** The current org with a menu of the user's other orgs and "New organization". */
export function OrgSwitcher({ current, orgs }: { current: ShellOrg; orgs: ShellOrg[] }) {
  const { open, close, toggle, rootRef, triggerRef } = usePopover();
  const menuId = useId();
  return (
    <div ref={rootRef} className="relative">
      <button
        ref={triggerRef}
        type="button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`Organization: ${current.name}. Switch organization`}
        onClick={toggle}
        className="flex w-full items-center gap-2 rounded-md border border-line bg-surface px-2 py-1.5 text-left text-sm shadow-sm hover:bg-subtle focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
      >
        <Initial name={current.name} />
        <span className="min-w-0 flex-1 truncate font-medium" data-testid="current-org">
          {current.name}
        </span>
        <ChevronUpDown />
      </button>
      {open ? (
        <div
          id={menuId}
          className="absolute inset-x-0 top-full z-40 mt-1 overflow-hidden rounded-lg border border-line bg-surface py-1 shadow-lg"
        >
          <p className="px-3 pb-1 pt-1.5 text-xs font-medium text-faint">Organizations</p>
          <ul className="max-h-72 overflow-y-auto">
            {orgs.map((org) => (
              <li key={org.slug}>
                <Link
                  href={`/orgs/${org.slug}/devices`}
                  onClick={close}
                  aria-current={org.slug === current.slug ? "true" : undefined}
                  className={cn(
                    "flex items-center gap-2 px-3 py-1.5 text-sm hover:bg-subtle focus-visible:bg-subtle focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent",
                    org.slug === current.slug && "font-medium",
                  )}
                >
                  <Initial name={org.name} />
                  <span className="min-w-0 flex-1 truncate">{org.name}</span>
                  {org.slug === current.slug ? <CheckIcon /> : null}
                </Link>
              </li>
            ))}
          </ul>
          <div className="mt-1 border-t border-line pt-1">
            <Link
              href="/orgs/new"
              onClick={close}
              className="flex items-center gap-2 px-3 py-1.5 text-sm text-muted hover:bg-subtle hover:text-fg focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent"
            >
              <span aria-hidden="true" className="flex size-6 items-center justify-center text-base">
                +
              </span>
              New organization
            </Link>
          </div>
        </div>
      ) : null}
    </div>
  );
}
