import Link from "next/link";
import { Fragment } from "react";
import { cn } from "./cn";

export type Crumb = { label: string; href?: string };

/**
 * The one breadcrumb: "Webhooks / Flaky endpoint". The last item is the current page (aria-current, not a link);
 * the ones before it link up the hierarchy.
 */
export function Breadcrumb({ items, className }: { items: Crumb[]; className?: string }) {
  if (items.length === 0) return null;
  return (
    <nav aria-label="Breadcrumb" className={cn("text-sm text-muted", className)}>
      <ol className="flex min-w-0 flex-wrap items-center gap-x-1.5 gap-y-0.5">
        {items.map((item, i) => {
          const last = i === items.length - 1;
          return (
            <Fragment key={`${i}-${item.label}`}>
              <li className={cn("min-w-0", last ? "max-w-full truncate text-fg" : "")}>
                {last || !item.href ? (
                  <span aria-current={last ? "page" : undefined}>{item.label}</span>
                ) : (
                  <Link href={item.href} className="rounded-sm text-muted hover:text-accent hover:underline">
                    {item.label}
                  </Link>
                )}
              </li>
              {last ? null : (
                <li aria-hidden="true" className="text-faint">
                  /
                </li>
              )}
            </Fragment>
          );
        })}
      </ol>
    </nav>
  );
}
