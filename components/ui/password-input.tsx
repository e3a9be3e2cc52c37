"use client";

import { useState, type ComponentProps } from "react";
import { cn } from "./cn";
import { Input } from "./input";

/**
 * A password input with a show/hide toggle. The toggle is a real button (type="button", so Enter still submits the
 * form) named "Show password" whose aria-pressed says whether the password is shown; its name is visually hidden
 * text, not aria-label, so `getByLabel("Password")` still finds only the input. Use inside <Field> like <Input>.
 */
export function PasswordInput({ className, ...rest }: Omit<ComponentProps<"input">, "type">) {
  const [shown, setShown] = useState(false);
  return (
    <div className="relative">
      <Input type={shown ? "text" : "password"} className={cn("pr-10", className)} {...rest} />
      <button
        type="button"
        aria-pressed={shown}
        aria-controls={rest.id}
        onClick={() => setShown((s) => !s)}
        className="absolute inset-y-0 right-0 flex w-9 items-center justify-center rounded-r-md text-muted hover:text-fg focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent"
      >
        <span className="sr-only">Show password</span>
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.5" className="size-4">
          <path d="M1.5 10s3-6 8.5-6 8.5 6 8.5 6-3 6-8.5 6-8.5-6-8.5-6Z" />
          <circle cx="10" cy="10" r="2.5" />
          {shown ? null : <path d="M3 17 17 3" strokeLinecap="round" />}
        </svg>
      </button>
    </div>
  );
}
