import Link from "next/link";
import type { ComponentProps } from "react";
import { cn } from "./cn";

/** How a link inside text or a table looks: accent colour, underline on hover (names of devices, webhooks, events). */
export const linkClass = "text-accent underline-offset-2 hover:underline";
/** A link inside running text (a sentence, a heading, a value beside other text): underlined, so it is told apart
 * without colour (axe: link-in-text-block). */
export const inTextLinkClass = "text-accent underline underline-offset-2";

/** A next/link that looks like a link. */
export function TextLink({ className, ...rest }: ComponentProps<typeof Link>) {
  return <Link className={cn(linkClass, className)} {...rest} />;
}
