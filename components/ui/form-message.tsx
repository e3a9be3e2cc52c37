import { cn } from "./cn";

/** The outcome of a form submission, announced to screen readers. Renders an empty live region when idle. */
export function FormMessage({
  state,
  className,
}: {
  state: { ok: boolean; message?: string } | null | undefined;
  className?: string;
}) {
  const message = state?.message;
  return (
    <div aria-live="polite" aria-atomic="true" className={cn(!message && "sr-only", className)}>
      {message ? (
        <p
          data-testid="form-message"
          className={cn(
            "rounded-md border px-3 py-2 text-sm",
            state?.ok ? "border-success/30 bg-success-soft text-success" : "border-danger/30 bg-danger-soft text-danger",
          )}
        >
          {message}
        </p>
      ) : null}
    </div>
  );
}
