/**
 * Characters no text column can hold (README, "Reliability and security"): NUL (PostgreSQL text refuses it,
 * 22P05/22021) and lone UTF-16 surrogates (not valid Unicode; they cannot be encoded as UTF-8). Input carrying
 * them is refused where it enters (JSON bodies, form data, query strings) with a 400 or a field error, instead of
 * failing in the database with a 500. Isomorphic.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_MESSAGE = "contains a NUL character or an unpaired surrogate, which cannot be stored";

export function hasUnstorableChars(text: string): boolean {
  return UNSTORABLE.test(text);
}

/**
 * The path ("firmwareVersion", "signals.temp", "headers[0].value") of the first string or object key in a parsed
 * value that holds an unstorable character, or null. Iterative: a hostile value cannot overflow the stack.
 */
export function findUnstorable(value: unknown, root = ""): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (hasUnstorableChars(v)) return path || "(value)";
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        const childPath = path ? `${path}.${k}` : k;
        if (hasUnstorableChars(k)) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}

/** The first query parameter (name or value) with an unstorable character: its field errors, or null. */
export function unstorableQueryParams(params: URLSearchParams): Record<string, string[]> | null {
  for (const [name, value] of params) {
    if (hasUnstorableChars(name) || hasUnstorableChars(value)) {
      const field = hasUnstorableChars(name) ? "query" : name;
      return { [field]: [`${field === "query" ? "A parameter name" : `"${name}"`} ${UNSTORABLE_MESSAGE}.`] };
    }
  }
  return null;
}
