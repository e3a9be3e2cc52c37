import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";
import { focusRing } from "./focus";

const CONTROL =
  "block w-full rounded-md border border-line-strong bg-surface text-fg shadow-sm placeholder:text-faint " +
  "transition-colors focus:border-accent focus:outline-none focus:ring-2 focus:ring-accent/40 focus-visible:outline-none " +
  "disabled:cursor-not-allowed disabled:bg-subtle disabled:text-muted " +
  "aria-[invalid=true]:border-danger aria-[invalid=true]:focus:ring-danger/40";

/** Class names shared by text-like controls. */
export const controlClasses = CONTROL;

/** A text input (any `type`). Invalid state comes from aria-invalid, which Field sets. */
export function Input({ className, ...rest }: ComponentProps<"input">) {
  return <input className={cn(CONTROL, "h-9 px-3 text-sm read-only:bg-subtle", className)} {...rest} />;
}

/** A multi-line text input. */
export function Textarea({ className, rows = 4, ...rest }: ComponentProps<"textarea">) {
  return <textarea rows={rows} className={cn(CONTROL, "px-3 py-2 text-sm read-only:bg-subtle", className)} {...rest} />;
}

/** A native select with a chevron. */
export function Select({ className, children, ...rest }: ComponentProps<"select">) {
  return (
    <div className="relative">
      <select className={cn(CONTROL, "h-9 appearance-none pl-3 pr-9 text-sm", className)} {...rest}>
        {children}
      </select>
      <svg
        aria-hidden="true"
        viewBox="0 0 20 20"
        className="pointer-events-none absolute right-2.5 top-1/2 size-4 -translate-y-1/2 text-muted"
        fill="currentColor"
      >
        <path d="M5.23 7.21a.75.75 0 0 1 1.06.02L10 11.06l3.71-3.83a.75.75 0 1 1 1.08 1.04l-4.25 4.4a.75.75 0 0 1-1.08 0l-4.25-4.4a.75.75 0 0 1 .02-1.06Z" />
      </svg>
    </div>
  );
}

/** A checkbox with its label (and optional hint) beside it. */
export function Checkbox({
  label,
  hint,
  className,
  id,
  ...rest
}: Omit<ComponentProps<"input">, "type"> & { label: ReactNode; hint?: ReactNode }) {
  const inputId = id ?? (rest.name ? `cb-${rest.name}${rest.value != null ? `-${String(rest.value)}` : ""}` : undefined);
  const hintId = hint && inputId ? `${inputId}-hint` : undefined;
  return (
    <div className={cn("flex items-start gap-2.5", className)}>
      <input
        id={inputId}
        type="checkbox"
        aria-describedby={hintId}
        className={cn("mt-0.5 size-4 shrink-0 cursor-pointer rounded border-line-strong accent-[var(--sp-accent)] disabled:cursor-not-allowed", focusRing)}
        {...rest}
      />
      <div className="min-w-0">
        <label htmlFor={inputId} className="cursor-pointer text-sm font-medium text-fg">
          {label}
        </label>
        {hint ? (
          <p id={hintId} className="text-[13px] text-muted">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}
