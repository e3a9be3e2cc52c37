import { cn } from "@/components/ui";

/** The Signalpost mark: a post with signal arcs. */
export function LogoMark({ className }: { className?: string }) {
  return (
    <span
      aria-hidden="true"
      className={cn("inline-flex size-7 items-center justify-center rounded-md bg-accent text-accent-fg", className)}
    >
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" className="size-4">
        <path d="M12 13v8" />
        <circle cx="12" cy="11" r="1.6" fill="currentColor" stroke="none" />
        <path d="M8.5 7.5a5 5 0 0 0 0 7" />
        <path d="M15.5 7.5a5 5 0 0 1 0 7" />
        <path d="M5.5 4.5a9 9 0 0 0 0 13" />
        <path d="M18.5 4.5a9 9 0 0 1 0 13" />
      </svg>
    </span>
  );
}

/** Mark and wordmark. */
export function Logo({ className }: { className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-2 text-[15px] font-semibold tracking-tight text-fg", className)}>
      <LogoMark />
      Signalpost
    </span>
  );
}
