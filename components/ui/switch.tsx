import type { ComponentProps } from "react";
import { cn } from "./cn";
import { focusRing } from "./focus";

/**
 * An on/off toggle: a real checkbox with role="switch", drawn as a track with a sliding knob (so it reads as a switch,
 * not a checkbox). Label it with a wrapping <label> or aria-label.
 */
export function Switch({ className, checked, ...rest }: Omit<ComponentProps<"input">, "type" | "role">) {
  return (
    <input
      type="checkbox"
      role="switch"
      aria-checked={checked}
      checked={checked}
      className={cn(
        "relative h-5 w-9 shrink-0 cursor-pointer appearance-none rounded-full bg-line-strong transition-colors",
        "before:absolute before:left-0.5 before:top-0.5 before:size-4 before:rounded-full before:bg-white before:shadow before:transition-transform before:content-['']",
        "checked:bg-accent checked:before:translate-x-4 disabled:cursor-not-allowed disabled:opacity-55",
        focusRing,
        className,
      )}
      {...rest}
    />
  );
}
