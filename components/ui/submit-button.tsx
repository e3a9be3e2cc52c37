"use client";

import { useFormStatus } from "react-dom";
import { Button, type ButtonProps } from "./button";

/** A form's submit button: disabled with a spinner while the form's action runs. */
export function SubmitButton({ variant = "primary", pending, ...rest }: Omit<ButtonProps, "type">) {
  const status = useFormStatus();
  return <Button type="submit" variant={variant} pending={pending || status.pending} {...rest} />;
}
