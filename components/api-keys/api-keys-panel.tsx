"use client";

import { useActionState, useState, useSyncExternalStore, useTransition } from "react";
import {
  Alert,
  Badge,
  Button,
  Card,
  CardHeader,
  ConfirmDialog,
  CopyButton,
  EmptyState,
  Field,
  FormMessage,
  Input,
  Timestamp,
  Select,
  SubmitButton,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@/components/ui";
import { createApiKeyAction, revokeApiKeyAction, type CreatedApiKey } from "@/lib/actions/api-keys";
import type { ActionState } from "@/lib/actions/safe-action";
import type { ApiKeyView } from "@/lib/api/keys";
import { API_KEY_SCOPE_LABELS, API_KEY_SCOPES } from "@/lib/validation/api-keys";

const subscribe = () => () => undefined;
function useOrigin(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.origin,
    () => "http://localhost:3000",
  );
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The curl call shown with a new key: list devices (any scope may read). */
export function apiKeyCurlExample(origin: string, secret: string): string {
  return [`curl ${q(`${origin}/api/v1/devices?limit=10`)} \\`, `  -H ${q(`Authorization: Bearer ${secret}`)}`].join("\n");
}

const EXPIRY_LABELS: Record<string, string> = { never: "Never", "7": "In 7 days", "30": "In 30 days", "90": "In 90 days", "365": "In 1 year" };

function NewKeyReveal({ created }: { created: CreatedApiKey }) {
  const origin = useOrigin();
  const example = apiKeyCurlExample(origin, created.secret);
  return (
    <div className="space-y-4 px-5 py-4" data-testid="api-key-reveal">
      <Alert tone="warning" title="Copy this key now">
        It is shown only once. Signalpost stores only a hash of it; if you lose it, create a new key and revoke this one.
      </Alert>
      <div>
        <label htmlFor="api-key-secret" className="mb-1.5 block text-sm font-medium text-fg">
          API key ({created.name}, {API_KEY_SCOPE_LABELS[created.scope].toLowerCase()})
        </label>
        <div className="flex items-center gap-2">
          <input
            id="api-key-secret"
            readOnly
            value={created.secret}
            onFocus={(e) => e.currentTarget.select()}
            className="h-9 min-w-0 flex-1 rounded-md border border-line-strong bg-subtle px-3 font-mono text-sm text-fg"
          />
          <CopyButton value={created.secret} label="Copy key" size="md" variant="primary" />
        </div>
      </div>
      <div>
        <div className="mb-1.5 flex items-center justify-between gap-2">
          <p className="text-sm font-medium text-fg">Try it</p>
          <CopyButton value={example} label="Copy command" />
        </div>
        <pre tabIndex={0} className="overflow-x-auto rounded-md border border-line bg-subtle px-3 py-2.5 font-mono text-xs leading-relaxed text-fg">{example}</pre>
      </div>
    </div>
  );
}

function CreateKeyForm({ orgSlug }: { orgSlug: string }) {
  const [state, action] = useActionState(createApiKeyAction, null);
  const values = (state?.values ?? {}) as Record<string, string>;
  const created = state?.ok ? (state.data as CreatedApiKey | undefined) : undefined;
  return (
    <Card>
      <CardHeader
        title="Create API key"
        description="Keys call the REST API (/api/v1) for this organization. Read keys can only read; write keys can also change devices, webhooks and deliveries."
      />
      <form action={action} className="space-y-4 px-5 py-4" noValidate>
        <input type="hidden" name="orgSlug" value={orgSlug} />
        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_11rem_10rem_auto] sm:items-start">
          <Field label="Name" error={state?.ok ? undefined : state?.errors?.name}>
            <Input name="name" placeholder="Manufacturing line" defaultValue={values.name} autoComplete="off" maxLength={100} />
          </Field>
          <Field label="Scope" error={state?.ok ? undefined : state?.errors?.scope}>
            <Select name="scope" defaultValue={values.scope ?? "read"}>
              {API_KEY_SCOPES.map((s) => (
                <option key={s} value={s}>
                  {API_KEY_SCOPE_LABELS[s]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Expires" error={state?.ok ? undefined : state?.errors?.expiresInDays}>
            <Select name="expiresInDays" defaultValue={values.expiresInDays ?? "never"}>
              {Object.entries(EXPIRY_LABELS).map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </Select>
          </Field>
          <div className="sm:pt-7">
            <SubmitButton pendingLabel="Creating…">Create API key</SubmitButton>
          </div>
        </div>
        {created ? null : <FormMessage state={state} />}
      </form>
      {created ? <NewKeyReveal created={created} /> : null}
    </Card>
  );
}

function StateBadge({ k }: { k: ApiKeyView }) {
  if (k.state === "revoked") return <Badge tone="danger">Revoked</Badge>;
  if (k.state === "expired") return <Badge tone="warning">Expired</Badge>;
  return <Badge tone="success">Active</Badge>;
}

/** Settings → API keys: the key list for every member (no secrets exist to show); create/revoke for owners and admins. */
export function ApiKeysPanel({ orgSlug, keys, canManage }: { orgSlug: string; keys: ApiKeyView[]; canManage: boolean }) {
  const [revoking, setRevoking] = useState<ApiKeyView | null>(null);
  const [result, setResult] = useState<ActionState>(null);
  const [pending, startTransition] = useTransition();

  function confirmRevoke() {
    if (!revoking) return;
    const target = revoking;
    startTransition(async () => {
      const res = await revokeApiKeyAction(null, { orgSlug, keyId: target.id });
      setRevoking(null);
      setResult(res);
    });
  }

  return (
    <div className="space-y-6">
      {canManage ? <CreateKeyForm orgSlug={orgSlug} /> : null}
      <FormMessage state={result} />
      <Card>
        <CardHeader title="API keys" description="Only a hash of each key is stored; the list shows its first characters." />
        {keys.length === 0 ? (
          <EmptyState title="No API keys yet" text={canManage ? "Create a key above to use the REST API." : "An owner or admin can create one."} />
        ) : (
          <Table>
            <THead>
              <tr>
                <TH>Name</TH>
                <TH>Key</TH>
                <TH>Scope</TH>
                <TH className="hidden md:table-cell">Created</TH>
                <TH className="hidden md:table-cell">Expires</TH>
                <TH className="hidden lg:table-cell">Last used</TH>
                <TH>State</TH>
                {canManage ? (
                  <TH>
                    <span className="sr-only">Actions</span>
                  </TH>
                ) : null}
              </tr>
            </THead>
            <TBody>
              {keys.map((k) => (
                <TR key={k.id} data-testid={`api-key-${k.id}`}>
                  <TD className="font-medium">
                    {k.name}
                    {k.createdBy ? <span className="block text-xs font-normal text-muted">by {k.createdBy}</span> : null}
                  </TD>
                  <TD className="font-mono text-xs">{k.prefix}…</TD>
                  <TD>{API_KEY_SCOPE_LABELS[k.scope]}</TD>
                  <TD className="hidden whitespace-nowrap text-muted md:table-cell">
                    <Timestamp value={k.createdAt} />
                  </TD>
                  <TD className="hidden whitespace-nowrap text-muted md:table-cell">{k.expiresAt ? <Timestamp value={k.expiresAt} /> : "Never"}</TD>
                  <TD className="hidden whitespace-nowrap text-muted lg:table-cell">
                    {k.lastUsedAt ? (
                      <>
                        <Timestamp value={k.lastUsedAt} />
                        {k.lastUsedIp ? <span className="block font-mono text-xs">{k.lastUsedIp}</span> : null}
                      </>
                    ) : (
                      "Never"
                    )}
                  </TD>
                  <TD>
                    <StateBadge k={k} />
                  </TD>
                  {canManage ? (
                    <TD className="text-right">
                      {k.state === "revoked" ? null : (
                        <Button size="sm" variant="ghost" className="text-danger hover:text-danger" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </Button>
                      )}
                    </TD>
                  ) : null}
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      <ConfirmDialog
        open={revoking !== null}
        onCancel={() => setRevoking(null)}
        onConfirm={confirmRevoke}
        tone="danger"
        title={`Revoke ${revoking?.name ?? "API key"}?`}
        description="Requests with this key are refused from now on. This cannot be undone."
        confirmLabel="Revoke"
        pending={pending}
      />
    </div>
  );
}
