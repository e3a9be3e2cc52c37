"use client";

import { cn } from "./cn";

export type RadioOption<T extends string> = { value: T; label: string; hint?: string };

/** A fieldset of radio buttons drawn as selectable chips; the legend names the group (visually hidden with hideLegend). */
export function RadioGroup<T extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  error,
  hideLegend = false,
  id,
}: {
  legend: string;
  hideLegend?: boolean;
  name: string;
  value: T;
  options: RadioOption<T>[];
  onChange: (v: T) => void;
  error?: string[];
  /** Id of the fieldset (an error summary can point at it). */
  id?: string;
}) {
  return (
    <fieldset id={id}>
      <legend className={cn("mb-1.5 text-sm font-medium text-fg", hideLegend && "sr-only")}>{legend}</legend>
      <div className="flex flex-wrap gap-2">
        {options.map((o) => (
          <label
            key={o.value}
            className={cn(
              // the chip shows the ring when its radio has keyboard focus
              "flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm transition-colors",
              "has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-accent",
              value === o.value ? "border-accent bg-accent-soft text-fg" : "border-line-strong bg-surface text-muted hover:bg-subtle",
            )}
          >
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
              className="accent-[var(--sp-accent)] focus-visible:outline-none"
            />
            {o.label}
          </label>
        ))}
      </div>
      {error?.length ? <p className="mt-1 text-[13px] text-danger">{error[0]}</p> : null}
    </fieldset>
  );
}
