"use client";

import { useRouter } from "next/navigation";
import { useActionState, useState, useTransition } from "react";
import type { Role } from "@/db/schema/accounts";
import {
  Button,
  Card,
  CardHeader,
  ConfirmDialog,
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
  Badge,
} from "@/components/ui";
import { addMemberAction, changeRoleAction, removeMemberAction } from "@/lib/actions/members";
import type { ActionState } from "@/lib/actions/safe-action";
import { ROLE_OPTIONS } from "@/lib/validation/members";
import { ROLE_DESCRIPTIONS, RoleBadge, roleLabel } from "./role-badge";

export type MemberView = { userId: number; name: string; email: string; role: Role; joinedAt: string };

type Props = {
  orgSlug: string;
  members: MemberView[];
  currentUserId: number;
  actorRole: Role;
  canManage: boolean;
};

/** Roles the acting user may hand out: only owners grant the owner role. */
function grantableRoles(actorRole: Role): readonly Role[] {
  return actorRole === "owner" ? ROLE_OPTIONS : ROLE_OPTIONS.filter((r) => r !== "owner");
}

function AddMemberForm({ orgSlug, actorRole }: { orgSlug: string; actorRole: Role }) {
  const [state, action] = useActionState(addMemberAction, null);
  const values = (state?.values ?? {}) as Record<string, string>;
  return (
    <Card>
      <CardHeader
        title="Add a member"
        description="Add someone who already has a Signalpost account, by the email they signed up with."
      />
      <form action={action} className="space-y-4 px-5 py-4" noValidate>
        <input type="hidden" name="orgSlug" value={orgSlug} />
        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_12rem_auto] sm:items-start">
          <Field label="Email" error={state?.ok ? undefined : state?.errors?.email}>
            <Input name="email" type="email" placeholder="name@example.com" defaultValue={values.email} autoComplete="off" />
          </Field>
          <Field label="Role" error={state?.ok ? undefined : state?.errors?.role}>
            <Select name="role" defaultValue={values.role ?? "member"}>
              {grantableRoles(actorRole).map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </Select>
          </Field>
          <div className="sm:pt-7">
            <SubmitButton pendingLabel="Adding…">Add member</SubmitButton>
          </div>
        </div>
        <FormMessage state={state} />
      </form>
    </Card>
  );
}

/** The members table; owners and admins also get the add form and per-row Change role / Remove. */
export function MembersPanel({ orgSlug, members, currentUserId, actorRole, canManage }: Props) {
  const router = useRouter();
  const [result, setResult] = useState<ActionState>(null);
  const [editing, setEditing] = useState<MemberView | null>(null);
  const [editRole, setEditRole] = useState<Role>("member");
  const [editError, setEditError] = useState<string | undefined>();
  const [removing, setRemoving] = useState<MemberView | null>(null);
  const [pending, startTransition] = useTransition();
  const ownerCount = members.filter((m) => m.role === "owner").length;

  function openEdit(m: MemberView) {
    setEditing(m);
    setEditRole(m.role);
    setEditError(undefined);
  }

  function saveRole() {
    if (!editing) return;
    const target = editing;
    startTransition(async () => {
      const res = await changeRoleAction(null, { orgSlug, userId: target.userId, role: editRole });
      if (res?.ok) {
        setEditing(null);
        setResult(res);
      } else {
        setEditError(res?.message ?? "The role could not be changed.");
      }
    });
  }

  function confirmRemove() {
    if (!removing) return;
    const target = removing;
    startTransition(async () => {
      const res = await removeMemberAction(null, { orgSlug, userId: target.userId });
      setRemoving(null);
      setResult(res);
      if (res?.ok && target.userId === currentUserId) router.push("/");
    });
  }

  const roleChoices: readonly Role[] = editing?.role === "owner" ? ROLE_OPTIONS : grantableRoles(actorRole);

  return (
    <div className="space-y-6">
      {canManage ? <AddMemberForm orgSlug={orgSlug} actorRole={actorRole} /> : null}

      <FormMessage state={result} />

      <Card>
        <CardHeader
          title="Members"
          description={`${members.length} ${members.length === 1 ? "person" : "people"} in this organization`}
        />
        <Table>
          <THead>
            <tr>
              <TH>Name</TH>
              <TH className="hidden md:table-cell">Email</TH>
              <TH>Role</TH>
              <TH className="hidden sm:table-cell">Joined</TH>
              {canManage ? (
                <TH>
                  <span className="sr-only">Actions</span>
                </TH>
              ) : null}
            </tr>
          </THead>
          <TBody>
            {members.map((m) => {
              const ownerLocked = m.role === "owner" && actorRole !== "owner";
              return (
                <TR key={m.userId} data-testid={`member-${m.email}`}>
                  <TD className="font-medium">
                    <span className="inline-flex items-center gap-2">
                      {m.name}
                      {m.userId === currentUserId ? <Badge>You</Badge> : null}
                    </span>
                    <span className="block break-all text-xs font-normal text-muted md:hidden">{m.email}</span>
                  </TD>
                  <TD className="hidden text-muted md:table-cell">{m.email}</TD>
                  <TD>
                    <RoleBadge role={m.role} />
                  </TD>
                  <TD className="hidden whitespace-nowrap text-muted sm:table-cell">
                    <Timestamp value={m.joinedAt} />
                  </TD>
                  {canManage ? (
                    <TD className="whitespace-nowrap text-right">
                      <div className="inline-flex gap-1">
                        <Button
                          size="sm"
                          variant="ghost"
                          onClick={() => openEdit(m)}
                          disabled={ownerLocked}
                          title={ownerLocked ? "Only an owner can change an owner's role" : undefined}
                          aria-label={`Change role of ${m.name}`}
                        >
                          Change role
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-danger hover:text-danger"
                          onClick={() => setRemoving(m)}
                          disabled={ownerLocked}
                          title={ownerLocked ? "Only an owner can remove an owner" : undefined}
                          aria-label={`Remove ${m.name}`}
                        >
                          Remove
                        </Button>
                      </div>
                    </TD>
                  ) : null}
                </TR>
              );
            })}
          </TBody>
        </Table>
        {!canManage ? (
          <p className="border-t border-line px-5 py-3 text-sm text-muted">
            Only owners and admins can add members or change roles.
          </p>
        ) : null}
      </Card>

      <Modal
        open={!!editing}
        onClose={() => !pending && setEditing(null)}
        title={editing ? `Change role of ${editing.name}` : "Change role"}
        description={editing?.email}
        size="sm"
        footer={
          <>
            <Button onClick={() => setEditing(null)} disabled={pending}>
              Cancel
            </Button>
            <Button variant="primary" onClick={saveRole} pending={pending} disabled={editing?.role === editRole}>
              Save
            </Button>
          </>
        }
      >
        <fieldset>
          <legend className="sr-only">Role</legend>
          <div className="space-y-2">
            {roleChoices.map((r) => (
              <label
                key={r}
                className="flex cursor-pointer items-start gap-3 rounded-md border border-line p-3 has-[:checked]:border-accent has-[:checked]:bg-accent-soft/60"
              >
                <input
                  type="radio"
                  name="role"
                  value={r}
                  checked={editRole === r}
                  onChange={() => setEditRole(r)}
                  autoFocus={editRole === r}
                  className="mt-0.5 accent-[var(--sp-accent)]"
                />
                <span>
                  <span className="block font-medium">{roleLabel(r)}</span>
                  <span className="block text-[13px] text-muted">{ROLE_DESCRIPTIONS[r]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        {editing?.role === "owner" && ownerCount <= 1 ? (
          <p className="mt-3 text-[13px] text-muted">This is the only owner. Make someone else an owner first.</p>
        ) : null}
        {editError ? (
          <p role="alert" className="mt-3 rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger">
            {editError}
          </p>
        ) : null}
      </Modal>

      <ConfirmDialog
        open={!!removing}
        onCancel={() => setRemoving(null)}
        onConfirm={confirmRemove}
        pending={pending}
        title={removing ? `Remove ${removing.name}?` : "Remove member?"}
        description={
          removing?.userId === currentUserId
            ? "You will lose access to this organization immediately."
            : `${removing?.email ?? "They"} will lose access to this organization. Their account stays, and you can add them again later.`
        }
        confirmLabel="Remove"
      />
    </div>
  );
}
