import type { ReactNode } from "react";
import { Breadcrumb, type Crumb } from "./breadcrumb";
import { cn } from "./cn";

/**
 * The top of a portal page: breadcrumb, title (the page's h1), an optional status beside it (outside the h1, so
 * the heading's accessible name is the title alone), description and actions (primary last, i.e. rightmost).
 */
export function PageHeader({
  title,
  description,
  status,
  actions,
  back,
  breadcrumb,
  className,
}: {
  title: ReactNode;
  description?: ReactNode;
  /** A badge shown beside the title but not inside the h1. */
  status?: ReactNode;
  actions?: ReactNode;
  /** A small link above the title (e.g. "← Webhooks"). */
  back?: ReactNode;
  /** Where this page sits: [{ label: "Webhooks", href }, { label: "Flaky endpoint" }] (the portal's pattern). */
  breadcrumb?: Crumb[];
  className?: string;
}) {
  return (
    <header className={cn("mb-6 flex flex-wrap items-end justify-between gap-4", className)}>
      <div className="min-w-0">
        {breadcrumb ? <Breadcrumb items={breadcrumb} className="mb-1.5" /> : null}
        {back && !breadcrumb ? <div className="mb-1.5 text-sm text-muted">{back}</div> : null}
        <div className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1">
          <h1 className="min-w-0 truncate text-xl font-semibold tracking-tight text-fg">{title}</h1>
          {status}
        </div>
        {description ? <p className="mt-1 max-w-2xl text-sm text-muted">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </header>
  );
}
