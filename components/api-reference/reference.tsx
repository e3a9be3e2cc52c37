import { Badge, Card, CopyButton } from "@/components/ui";
import { TryIt, type TryOperation } from "./try-it";

// The API reference, rendered from the OpenAPI document with the portal's own components (no third-party renderer,
// nothing loaded from a CDN). Server component: the document is read on the server and only markup is sent.

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  description?: string;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  additionalProperties?: Schema | boolean;
};
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Operation = {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
};
export type OpenApiDoc = {
  info: { title: string; version: string; description?: string };
  tags?: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const METHOD_TONE = { get: "success", post: "accent", patch: "warning", delete: "danger" } as const;

const refName = (ref: string) => ref.split("/").pop() ?? ref;
const anchor = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");

function resolve(doc: OpenApiDoc, schema: Schema | undefined): Schema | undefined {
  if (schema?.$ref) return doc.components?.schemas?.[refName(schema.$ref)];
  return schema;
}

/** A short type label: "string (date-time)", "Device[]", "online | offline", "integer ≤ 200". */
function typeLabel(doc: OpenApiDoc, schema: Schema | undefined): string {
  if (!schema) return "any";
  if (schema.$ref) return refName(schema.$ref);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map((v) => typeLabel(doc, v)).join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
  if (type === "array") return `${typeLabel(doc, schema.items)}[]`;
  if (type === "object" && !schema.properties) return "object";
  return `${type ?? "any"}${schema.format ? ` (${schema.format})` : ""}`;
}

/** Curl for an operation: path parameters as placeholders, the example body, the key from $KEY. */
export function curlFor(origin: string, method: string, path: string, op: Operation): string {
  const url = `${origin}${path.replace(/\{(\w+)\}/g, (_, n: string) => `{${n}}`)}`;
  const lines = [`curl -X ${method.toUpperCase()} '${url}' \\`, `  -H "Authorization: Bearer $KEY"`];
  const content = op.requestBody?.content["application/json"];
  if (content) {
    lines[lines.length - 1] += " \\";
    lines.push(`  -H 'Content-Type: application/json' \\`);
    lines.push(`  -d '${JSON.stringify(content.example ?? {}).replace(/'/g, `'\\''`)}'`);
  }
  return lines.join("\n");
}

function Fields({ doc, schema, depth = 0 }: { doc: OpenApiDoc; schema: Schema | undefined; depth?: number }) {
  const s = resolve(doc, schema);
  if (!s?.properties) return <p className="text-sm text-muted">{typeLabel(doc, schema)}</p>;
  return (
    <ul className={depth ? "ml-4 border-l border-line pl-3" : ""}>
      {Object.entries(s.properties).map(([name, prop]) => {
        const inner = resolve(doc, prop.type === "array" ? prop.items : prop);
        return (
          <li key={name} className="py-1.5 text-sm">
            <code className="font-mono font-medium text-fg">{name}</code>{" "}
            <span className="font-mono text-xs text-muted">{typeLabel(doc, prop)}</span>
            {s.required?.includes(name) ? <span className="ml-1.5 text-xs text-danger">required</span> : null}
            {prop.description ? <p className="text-[13px] text-muted">{prop.description}</p> : null}
            {depth < 2 && inner?.properties && !prop.$ref && !(prop.items?.$ref) ? <Fields doc={doc} schema={inner} depth={depth + 1} /> : null}
          </li>
        );
      })}
    </ul>
  );
}

function OperationCard({ doc, origin, path, method, op }: { doc: OpenApiDoc; origin: string; path: string; method: string; op: Operation }) {
  const curl = curlFor(origin, method, path, op);
  const body = op.requestBody?.content["application/json"]?.schema;
  return (
    <Card className="scroll-mt-6" >
      <section id={anchor(op.operationId)} aria-labelledby={`${anchor(op.operationId)}-title`} className="space-y-4 px-5 py-4">
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone={METHOD_TONE[method as keyof typeof METHOD_TONE] ?? "neutral"}>{method.toUpperCase()}</Badge>
          <code className="break-all font-mono text-sm text-fg">{path}</code>
        </div>
        <div>
          <h3 id={`${anchor(op.operationId)}-title`} className="text-base font-semibold text-fg">
            {op.summary}
          </h3>
          {op.description?.split("\n\n").map((para, i) => (
            <p key={i} className="mt-1 text-sm text-muted">
              {para.replace(/\*\*/g, "")}
            </p>
          ))}
        </div>
        {op.parameters?.length ? (
          <div>
            <h4 className="mb-1 text-sm font-semibold text-fg">Parameters</h4>
            <ul>
              {op.parameters.map((p) => (
                <li key={`${p.in}-${p.name}`} className="py-1 text-sm">
                  <code className="font-mono font-medium">{p.name}</code> <span className="text-xs text-faint">{p.in}</span>{" "}
                  <span className="font-mono text-xs text-muted">{typeLabel(doc, p.schema)}</span>
                  {p.required ? <span className="ml-1.5 text-xs text-danger">required</span> : null}
                  {p.description ? <span className="block text-[13px] text-muted">{p.description}</span> : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {body ? (
          <div>
            <h4 className="mb-1 text-sm font-semibold text-fg">Body ({typeLabel(doc, body)})</h4>
            <Fields doc={doc} schema={body} />
          </div>
        ) : null}
        <div>
          <h4 className="mb-1 text-sm font-semibold text-fg">Responses</h4>
          <ul className="space-y-1">
            {Object.entries(op.responses).map(([status, r]) => {
              const schema = r.content?.["application/json"]?.schema;
              return (
                <li key={status} className="text-sm">
                  <span className={`font-mono font-medium ${status.startsWith("2") ? "text-success" : "text-muted"}`}>{status}</span>{" "}
                  <span className="text-muted">{r.description}</span>
                  {schema && status.startsWith("2") ? (
                    <details className="mt-1">
                      <summary className="cursor-pointer text-xs text-accent">{typeLabel(doc, schema)}</summary>
                      <div className="mt-1">
                        <Fields doc={doc} schema={schema} />
                      </div>
                    </details>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </div>
        <div>
          <div className="mb-1.5 flex items-center justify-between gap-2">
            <h4 className="text-sm font-semibold text-fg">Example</h4>
            <CopyButton value={curl} label="Copy curl" />
          </div>
          <pre tabIndex={0} aria-label="curl" className="overflow-x-auto rounded-md border border-line bg-subtle px-3 py-2.5 font-mono text-xs leading-relaxed text-fg">{curl}</pre>
        </div>
      </section>
    </Card>
  );
}

/** The whole reference: a table of contents by tag, then every operation with parameters, body, responses and curl. */
export function ApiReference({ doc, origin, settingsHref }: { doc: OpenApiDoc; origin: string; settingsHref: string }) {
  const byTag = new Map<string, { path: string; method: string; op: Operation }[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ path, method, op });
    }
  }
  const tryOperations: TryOperation[] = [...byTag.values()].flat().map(({ path, method, op }) => {
    const example = op.requestBody?.content["application/json"]?.example;
    return { id: op.operationId, method, path, summary: op.summary ?? op.operationId, example: example === undefined ? undefined : JSON.stringify(example, null, 2) };
  });
  return (
    <div className="grid gap-6 lg:grid-cols-[14rem_minmax(0,1fr)]">
      <nav aria-label="Operations" className="lg:sticky lg:top-6 lg:self-start">
        <ul className="space-y-3 text-sm">
          {[...byTag].map(([tag, ops]) => (
            <li key={tag}>
              <a href={`#${anchor(tag)}`} className="font-semibold text-fg hover:text-accent">
                {tag}
              </a>
              <ul className="mt-1 space-y-0.5">
                {ops.map(({ op }) => (
                  <li key={op.operationId}>
                    <a href={`#${anchor(op.operationId)}`} className="text-muted hover:text-accent">
                      {op.summary}
                    </a>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </nav>
      <div className="min-w-0 space-y-8">
        <TryIt operations={tryOperations} />
        <Card>
          <div className="space-y-2 px-5 py-4 text-sm text-muted">
            <p>{doc.info.description?.replace(/`/g, "")}</p>
            <p>
              Create a key in <a className="text-accent underline" href={settingsHref}>Settings → API keys</a>, then{" "}
              <code className="font-mono">export KEY=spk_…</code>. The machine-readable document is at{" "}
              <a className="font-mono text-accent underline" href="/api/v1/openapi.json">
                /api/v1/openapi.json
              </a>{" "}
              (OpenAPI 3.1, for code generators and API clients).
            </p>
          </div>
        </Card>
        {[...byTag].map(([tag, ops]) => (
          <section key={tag} id={anchor(tag)} aria-label={tag} className="scroll-mt-6 space-y-4">
            <h2 className="text-lg font-semibold text-fg">{tag}</h2>
            {ops.map(({ path, method, op }) => (
              <OperationCard key={op.operationId} doc={doc} origin={origin} path={path} method={method} op={op} />
            ))}
          </section>
        ))}
      </div>
    </div>
  );
}
