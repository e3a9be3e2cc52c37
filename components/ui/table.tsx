"use client";

import { useEffect, useRef, useState, type ComponentProps } from "react";
import { cn } from "./cn";
import { focusRingInset } from "./focus";

/**
 * A table that scrolls sideways on narrow screens instead of breaking the layout. While it does scroll, its box is a
 * named, focusable region so keyboard users can scroll it too (axe: scrollable-region-focusable). The box is
 * `relative` so absolutely positioned content (sr-only text) is clipped by it instead of widening the page.
 */
export function Table({ className, children, ...rest }: ComponentProps<"table">) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const check = () => setScrolls(box.scrollWidth > box.clientWidth + 1);
    check();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(check);
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild);
    return () => observer.disconnect();
  }, []);
  const label = rest["aria-label"];
  return (
    <div
      ref={ref}
      className={cn("relative overflow-x-auto", scrolls && focusRingInset)}
      tabIndex={scrolls ? 0 : undefined}
      role={scrolls && label ? "region" : undefined}
      aria-label={scrolls && label ? label : undefined}
    >
      <table className={cn("w-full border-collapse text-left text-sm", className)} {...rest}>
        {children}
      </table>
    </div>
  );
}

export function THead({ className, ...rest }: ComponentProps<"thead">) {
  return <thead className={cn("border-b border-line bg-subtle/60", className)} {...rest} />;
}

export function TBody({ className, ...rest }: ComponentProps<"tbody">) {
  return <tbody className={cn("divide-y divide-line", className)} {...rest} />;
}

export function TR({ className, ...rest }: ComponentProps<"tr">) {
  return <tr className={cn("transition-colors hover:bg-subtle/50", className)} {...rest} />;
}

export function TH({ className, scope = "col", ...rest }: ComponentProps<"th">) {
  return (
    <th
      scope={scope}
      className={cn("whitespace-nowrap px-4 py-2.5 text-xs font-medium uppercase tracking-wide text-muted", className)}
      {...rest}
    />
  );
}

export function TD({ className, ...rest }: ComponentProps<"td">) {
  return <td className={cn("px-4 py-3 align-middle text-fg", className)} {...rest} />;
}
