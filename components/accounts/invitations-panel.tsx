"use client";

import { useActionState, useState, useTransition } from "react";
import type { Role } from "@/db/schema/accounts";
import {
  Badge,
  Button,
  Card,
  CardHeader,
  EmptyState,
  Field,
  FormMessage,
  Input,
  Modal,
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
import { inviteMemberAction, resendInvitationAction, revokeInvitationAction } from "@/lib/actions/members";
import type { ActionState } from "@/lib/actions/safe-action";
import { ROLE_OPTIONS } from "@/lib/validation/members";
import { roleLabel } from "./role-badge";

export type InvitationView = { id: number; email: string; role: Role; expiresAt: string; lastSentAt: string; invitedByName: string | null; expired: boolean };

/** Members → Invite by email (a dialog), and the pending invitations (Resend / Revoke). Owners and admins only. */
export function InvitationsPanel({ orgSlug, actorRole, invitations }: { orgSlug: string; actorRole: Role; invitations: InvitationView[] }) {
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<ActionState>(null);
  const [pending, startTransition] = useTransition();
  const [state, action] = useActionState(async (prev: ActionState, fd: FormData) => {
    const res = await inviteMemberAction(prev, fd);
    if (res?.ok) {
      setOpen(false);
      setResult(res);
    }
    return res;
  }, null);
  const values = (state?.values ?? {}) as Record<string, string>;
  const roles = actorRole === "owner" ? ROLE_OPTIONS : ROLE_OPTIONS.filter((r) => r !== "owner");

  function run(fn: typeof resendInvitationAction, invitationId: number) {
    startTransition(async () => setResult(await fn(null, { orgSlug, invitationId })));
  }

  return (
    <Card>
      <CardHeader
        title="Invitations"
        description="Invite someone by email: the link works once and expires in 7 days."
        actions={
          <Button variant="primary" onClick={() => setOpen(true)}>
            Invite by email
          </Button>
        }
      />
      <FormMessage state={result} className="px-5 pt-3" />
      <Modal open={open} onClose={() => setOpen(false)} title="Invite by email" description="They get a link to create an account (or sign in) and join.">
        <form action={action} className="space-y-4" noValidate>
          <input type="hidden" name="orgSlug" value={orgSlug} />
          <Field label="Email" error={state?.ok ? undefined : state?.errors?.email}>
            <Input name="email" type="email" placeholder="name@example.com" defaultValue={values.email} autoComplete="off" data-autofocus />
          </Field>
          <Field label="Role" error={state?.ok ? undefined : state?.errors?.role}>
            <Select name="role" defaultValue={values.role ?? "member"}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </Select>
          </Field>
          <FormMessage state={state?.ok ? null : state} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <SubmitButton pendingLabel="Sending…">Send invitation</SubmitButton>
          </div>
        </form>
      </Modal>
      {invitations.length === 0 ? (
        <EmptyState compact title="No pending invitations" text="Invite a teammate with Invite by email; the invitation waits here until it is accepted." />
      ) : (
        <Table aria-label="Pending invitations">
          <THead>
            <tr>
              <TH>Email</TH>
              <TH>Role</TH>
              <TH className="hidden md:table-cell">Sent</TH>
              <TH>Expires</TH>
              <TH>
                <span className="sr-only">Actions</span>
              </TH>
            </tr>
          </THead>
          <TBody>
            {invitations.map((inv) => (
              <TR key={inv.id} data-testid={`invitation-${inv.email}`}>
                <TD className="max-w-64 truncate">{inv.email}</TD>
                <TD>{roleLabel(inv.role)}</TD>
                <TD className="hidden md:table-cell">
                  <Timestamp value={inv.lastSentAt} />
                  {inv.invitedByName ? <span className="text-muted"> by {inv.invitedByName}</span> : null}
                </TD>
                <TD>{inv.expired ? <Badge tone="warning">Expired</Badge> : <Timestamp value={inv.expiresAt} />}</TD>
                <TD className="whitespace-nowrap text-right">
                  <Button size="sm" variant="ghost" disabled={pending} onClick={() => run(resendInvitationAction, inv.id)} aria-label={`Resend the invitation to ${inv.email}`}>
                    Resend
                  </Button>
                  <Button size="sm" variant="ghost" disabled={pending} onClick={() => run(revokeInvitationAction, inv.id)} aria-label={`Revoke the invitation to ${inv.email}`}>
                    Revoke
                  </Button>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
