"use client";

import { useCallback, useId, useRef, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { cn } from "./cn";
import { useHydrated } from "./use-hydrated";

/**
 * A hint that shows on hover AND on keyboard focus (a `title` attribute shows on hover only). The bubble is a
 * popover in the browser's top layer, so a table's overflow wrapper never clips it; Escape hides it. The trigger is
 * focusable and described by the bubble (aria-describedby), so a screen reader reads the hint too. The bubble is
 * portalled to <body> after hydration: the server HTML and a row's text content hold only the trigger.
 * `focusable={false}` for triggers that sit inside a link or button (an interactive element must not nest another).
 */
export function Tooltip({
  content,
  children,
  focusable = true,
  className,
}: {
  content: ReactNode;
  children: ReactNode;
  focusable?: boolean;
  className?: string;
}) {
  const id = useId();
  const tip = useRef<HTMLSpanElement>(null);
  const trigger = useRef<HTMLSpanElement>(null);
  const mounted = useHydrated();

  const show = useCallback(() => {
    const el = tip.current;
    const anchor = trigger.current;
    if (!el || !anchor || typeof el.showPopover !== "function") return;
    if (!el.matches(":popover-open")) el.showPopover();
    const r = anchor.getBoundingClientRect();
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    const left = Math.max(8, Math.min(r.left, window.innerWidth - w - 8));
    const top = r.top - h - 6 >= 8 ? r.top - h - 6 : r.bottom + 6;
    el.style.left = `${left}px`;
    el.style.top = `${top}px`;
  }, []);
  const hide = useCallback(() => {
    const el = tip.current;
    if (el && typeof el.hidePopover === "function" && el.matches(":popover-open")) el.hidePopover();
  }, []);

  return (
    <span
      ref={trigger}
      tabIndex={focusable ? 0 : undefined}
      aria-describedby={mounted ? id : undefined}
      className={cn("rounded-sm", className)}
      onMouseEnter={show}
      onMouseLeave={hide}
      onFocus={show}
      onBlur={hide}
      onKeyDown={(e) => {
        if (e.key === "Escape") hide();
      }}
    >
      {children}
      {mounted
        ? createPortal(
            <span
              ref={tip}
              id={id}
              role="tooltip"
              popover="manual"
              className="pointer-events-none fixed inset-auto m-0 w-max max-w-xs rounded-md border-0 bg-fg px-2 py-1 text-left text-xs font-normal whitespace-pre-line text-canvas shadow-lg [overflow-wrap:anywhere]"
            >
              {content}
            </span>,
            document.body,
          )
        : null}
    </span>
  );
}
