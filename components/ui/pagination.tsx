import Link from "next/link";
import type { ReactNode } from "react";
import { Button, buttonClasses } from "./button";
import { cn } from "./cn";

/** Where a page button goes: a URL (server-rendered lists) or a handler (client lists); null when there is no such page. */
export type PageTarget = { href: string } | { onClick: () => void } | null | undefined;

function PageButton({ target, rel, children }: { target: PageTarget; rel: "prev" | "next"; children: ReactNode }) {
  if (!target) {
    return (
      <span aria-disabled="true" className={buttonClasses("secondary", "sm")}>
        {children}
      </span>
    );
  }
  if ("href" in target) {
    return (
      <Link href={target.href} rel={rel} className={buttonClasses("secondary", "sm")}>
        {children}
      </Link>
    );
  }
  return (
    <Button size="sm" onClick={target.onClick}>
      {children}
    </Button>
  );
}

/**
 * The footer of a paged list: an optional summary on the left, Previous/Next on the right. When everything fits on
 * one page (no previous and no next page) the buttons are not shown at all, and without a summary nothing renders.
 */
export function Pagination({
  previous,
  next,
  previousLabel = "Previous",
  nextLabel = "Next",
  summary,
  className,
}: {
  previous: PageTarget;
  next: PageTarget;
  previousLabel?: ReactNode;
  nextLabel?: ReactNode;
  summary?: ReactNode;
  className?: string;
}) {
  const paged = Boolean(previous || next);
  if (!paged && !summary) return null;
  const Tag = paged ? "nav" : "div";
  return (
    <Tag
      aria-label={paged ? "Pagination" : undefined}
      className={cn("flex flex-wrap items-center justify-between gap-3 border-t border-line px-4 py-3 text-sm text-muted", className)}
    >
      <span aria-live="polite">{summary}</span>
      {paged ? (
        <div className="flex gap-2">
          <PageButton target={previous} rel="prev">
            {previousLabel}
          </PageButton>
          <PageButton target={next} rel="next">
            {nextLabel}
          </PageButton>
        </div>
      ) : null}
    </Tag>
  );
}
