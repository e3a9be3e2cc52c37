"use client";

import Link from "next/link";
import { useId } from "react";
import { useFormStatus } from "react-dom";
import { signOutAction, signOutEverywhereAction } from "@/lib/actions/auth";
import { ChevronUpDown } from "./icons";
import { usePopover } from "./use-popover";

const ITEM = "flex w-full items-center px-3 py-2 text-left text-sm text-fg hover:bg-subtle focus-visible:bg-subtle disabled:opacity-60 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent";

function SignOutButton({ label = "Sign out" }: { label?: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending} className={ITEM}>
      {pending ? "Signing out…" : label}
    </button>
  );
}

/** The signed-in person (name, email) with Account, Sign out and Sign out everywhere; opens upwards from the bottom of the sidebar. */
export function UserMenu({ user }: { user: { name: string; email: string } }) {
  const { open, toggle, rootRef, triggerRef } = usePopover();
  const menuId = useId();
  const initials =
    user.name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((p) => p[0]!.toUpperCase())
      .join("") || "?";
  return (
    <div ref={rootRef} className="relative">
      <button
        ref={triggerRef}
        type="button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`Account: ${user.name}`}
        onClick={toggle}
        className="flex w-full items-center gap-2.5 rounded-md px-2 py-1.5 text-left hover:bg-subtle focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
      >
        <span
          aria-hidden="true"
          className="flex size-7 shrink-0 items-center justify-center rounded-full bg-subtle text-xs font-semibold text-muted ring-1 ring-line"
        >
          {initials}
        </span>
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm font-medium">{user.name}</span>
          <span className="block truncate text-xs text-muted">{user.email}</span>
        </span>
        <ChevronUpDown />
      </button>
      {open ? (
        <div
          id={menuId}
          className="absolute inset-x-0 bottom-full z-40 mb-1 overflow-hidden rounded-lg border border-line bg-surface py-1 shadow-lg"
        >
          <div className="border-b border-line px-3 pb-2 pt-1.5">
            <p className="truncate text-sm font-medium">{user.name}</p>
            <p className="truncate text-xs text-muted">{user.email}</p>
          </div>
          <Link href="/account" className={`${ITEM} mt-1`}>
            Account
          </Link>
          <form action={signOutAction}>
            <SignOutButton />
          </form>
          <form action={signOutEverywhereAction}>
            <SignOutButton label="Sign out everywhere" />
          </form>
        </div>
      ) : null}
    </div>
  );
}
