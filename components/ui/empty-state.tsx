import type { ReactNode } from "react";
import { cn } from "./cn";

/**
 * What an empty list, table, chart or panel shows: what is missing (title), what to do next (text) and, when there
 * is one, the action that does it. `compact` for a small panel inside a card (no icon, less padding).
 */
export function EmptyState({
  title,
  text,
  action,
  icon,
  compact = false,
  className,
}: {
  title: ReactNode;
  text?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
  compact?: boolean;
  className?: string;
}) {
  if (compact) {
    return (
      <div className={cn("flex flex-col items-center justify-center px-5 py-6 text-center", className)}>
        <p className="text-sm font-medium text-fg">{title}</p>
        {text ? <p className="mt-0.5 max-w-md text-sm text-muted">{text}</p> : null}
        {action ? <div className="mt-3 flex flex-wrap justify-center gap-2">{action}</div> : null}
      </div>
    );
  }
  return (
    <div className={cn("flex flex-col items-center justify-center px-6 py-14 text-center", className)}>
      <div aria-hidden="true" className="mb-3 flex size-10 items-center justify-center rounded-full bg-subtle text-muted">
        {icon ?? (
          <svg viewBox="0 0 20 20" fill="currentColor" className="size-5">
            <path d="M2 5.75A2.75 2.75 0 0 1 4.75 3h10.5A2.75 2.75 0 0 1 18 5.75v8.5A2.75 2.75 0 0 1 15.25 17H4.75A2.75 2.75 0 0 1 2 14.25v-8.5Zm1.5 4.75v3.75c0 .69.56 1.25 1.25 1.25h10.5c.69 0 1.25-.56 1.25-1.25V10.5h-3.19a.75.75 0 0 0-.67.41l-.34.68a2.25 2.25 0 0 1-2.01 1.24h-.6a2.25 2.25 0 0 1-2-1.24l-.35-.68a.75.75 0 0 0-.67-.41H3.5Z" />
          </svg>
        )}
      </div>
      <h3 className="text-[15px] font-semibold text-fg">{title}</h3>
      {text ? <p className="mt-1 max-w-md text-sm text-muted">{text}</p> : null}
      {action ? <div className="mt-5 flex flex-wrap justify-center gap-2">{action}</div> : null}
    </div>
  );
}
