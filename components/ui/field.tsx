import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from "react";
import { cn } from "./cn";

type ControlProps = {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
  "aria-required"?: boolean;
};

export type FieldProps = {
  label: ReactNode;
  /** Id of the control; generated when omitted. */
  id?: string;
  hint?: ReactNode;
  /** One message or the list from ActionState.errors[field]; the first is shown. */
  error?: string | string[] | null;
  required?: boolean;
  className?: string;
  /** Label is visually hidden (still read by screen readers). */
  hideLabel?: boolean;
  /** Right side of the label row (e.g. a character counter or a link). */
  aside?: ReactNode;
  /** One control element (it receives id, aria-describedby, aria-invalid), or a render function for composites. */
  children: ReactElement<ControlProps> | ((props: ControlProps) => ReactNode);
};

/**
 * A labelled form field: the label is bound to the control, the hint and error are linked with
 * aria-describedby, and the control is marked aria-invalid when there is an error.
 */
export function Field({ label, id, hint, error, required, className, hideLabel, aside, children }: FieldProps) {
  const autoId = useId();
  const controlId = id ?? `f${autoId.replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const message = Array.isArray(error) ? error[0] : error;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = message ? `${controlId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  const controlProps: ControlProps = {
    id: controlId,
    "aria-describedby": describedBy,
    "aria-invalid": message ? true : undefined,
    "aria-required": required || undefined,
  };
  const control =
    typeof children === "function"
      ? children(controlProps)
      : isValidElement(children)
        ? cloneElement(children, controlProps)
        : children;
  return (
    <div className={cn("space-y-1.5", className)}>
      <div className={cn("flex items-baseline justify-between gap-3", hideLabel && "sr-only")}>
        <label htmlFor={controlId} className="text-sm font-medium text-fg">
          {label}
          {required ? (
            <span className="ml-0.5 text-danger" aria-hidden="true">
              *
            </span>
          ) : null}
        </label>
        {aside ? <div className="text-xs text-muted">{aside}</div> : null}
      </div>
      {control}
      {message ? (
        <p id={errorId} className="flex items-start gap-1 text-[13px] text-danger">
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="mt-0.5 size-3.5 shrink-0">
            <path
              fillRule="evenodd"
              d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
              clipRule="evenodd"
            />
          </svg>
          <span>{message}</span>
        </p>
      ) : null}
      {hint ? (
        <p id={hintId} className="text-[13px] text-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
