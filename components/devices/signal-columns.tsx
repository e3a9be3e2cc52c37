"use client";

import { useEffect, useRef, useState } from "react";
import { Button, Checkbox } from "@/components/ui";

const STORAGE_KEY = "signalpost.deviceList.signalColumns";

/** The signal columns chosen for the device list (remembered in this browser). */
export function useSignalColumns(): [string[], (next: string[]) => void] {
  const [columns, setColumns] = useState<string[]>([]);
  useEffect(() => {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]") as unknown;
      // eslint-disable-next-line react-hooks/set-state-in-effect -- read once after hydration (localStorage is browser-only)
      if (Array.isArray(saved)) setColumns(saved.filter((s): s is string => typeof s === "string").slice(0, 8));
    } catch {
      // a damaged entry starts empty
    }
  }, []);
  const update = (next: string[]) => {
    setColumns(next);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // storage full or blocked: the choice lasts for this page only
    }
  };
  return [columns, update];
}

/** "Signal columns": add the last-known value of any signal as a column of the device list. */
export function SignalColumnsPicker({ available, selected, onChange }: { available: string[]; selected: string[]; onChange: (next: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  const names = [...new Set([...selected, ...available])].sort();
  return (
    <div className="relative" ref={ref}>
      <Button size="sm" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Signal columns{selected.length ? ` (${selected.length})` : ""}
      </Button>
      {open ? (
        <div className="absolute right-0 z-20 mt-1 w-56 rounded-md border border-line bg-surface p-2 shadow-lg" role="group" aria-label="Signal columns">
          {names.length === 0 ? (
            <p className="p-2 text-sm text-muted">No signals on this page yet.</p>
          ) : (
            names.map((n) => (
              <Checkbox
                key={n}
                id={`signal-column-${n}`}
                className="rounded px-2 py-1 hover:bg-subtle"
                label={<span className="font-mono">{n}</span>}
                checked={selected.includes(n)}
                onChange={(e) => onChange(e.target.checked ? [...selected, n].slice(0, 8) : selected.filter((s) => s !== n))}
              />
            ))
          )}
        </div>
      ) : null}
    </div>
  );
}
