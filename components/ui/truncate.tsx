import { cn } from "./cn";
import { Tooltip } from "./tooltip";

/**
 * Cuts `text` to at most `max` characters at a word boundary and adds "…" ("receiver answered HTTP 503…", never
 * "receiver answered HTT…"). A single word longer than the limit (a URL, a token) is cut inside the word.
 */
export function truncateWords(text: string, max: number): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const room = Math.max(1, max - 1);
  const cut = clean.slice(0, room + 1);
  const space = cut.lastIndexOf(" ");
  const head = space >= room * 0.4 ? cut.slice(0, space) : clean.slice(0, room);
  return `${head.replace(/[\s,.;:–—-]+$/, "")}…`;
}

/**
 * Long text cut at a word boundary; when cut, the full text shows on hover and keyboard focus (and a screen reader
 * reads it whole). Uncut text renders as is, with no tab stop.
 */
export function Truncate({
  text,
  max = 80,
  focusable = true,
  className,
}: {
  text: string;
  max?: number;
  /** false inside a link or button. */
  focusable?: boolean;
  className?: string;
}) {
  const short = truncateWords(text, max);
  if (short === text.replace(/\s+/g, " ").trim()) return <span className={className}>{text}</span>;
  return (
    <Tooltip content={text} focusable={focusable} className={cn("relative cursor-help", className)}>
      <span aria-hidden="true">{short}</span>
      <span className="sr-only">{text}</span>
    </Tooltip>
  );
}
