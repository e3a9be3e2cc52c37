// The one keyboard-focus ring (2px accent outline, shown for keyboard focus only). app/globals.css gives every
// element the same ring through :focus-visible; controls name it explicitly so it survives their own outline
// classes, and the inset variant is for controls inside a scroll container (overflow clips an outer ring).

/** Outer ring, 2px off the control. */
export const focusRing = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent";

/** Inset ring, for controls in scrolling lists, tables and tab bars. */
export const focusRingInset = "focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent";
