"use client";

import { useRouter } from "next/navigation";
import { useActionState, useState } from "react";
import { Button, ButtonLink, Card, CardBody, CardFooter, Field, FormMessage, Input, Modal, SubmitButton } from "@/components/ui";
import { createDeviceAction, updateDeviceAction, type CreatedDevice } from "@/lib/actions/devices";
import type { ActionState } from "@/lib/actions/safe-action";
import { OFFLINE_AFTER_DEFAULT, OFFLINE_AFTER_MAX, OFFLINE_AFTER_MIN } from "@/lib/validation/devices";
import { TokenReveal } from "./token-reveal";

type Initial = { udid: string; name: string; tags: string[]; offlineAfterSeconds: number };

const text = (v: unknown, fallback: string) => (typeof v === "string" ? v : fallback);

/**
 * "Add device" and the edit form. One zod schema (lib/validation/devices) checks both here and on the server;
 * errors appear under each field and what the user typed is kept. After a create, the token is shown once in a
 * dialog with curl examples.
 */
export function DeviceForm({ orgSlug, device }: { orgSlug: string; device?: Initial & { id: number } }) {
  const editing = Boolean(device);
  const [state, formAction] = useActionState<ActionState, FormData>(editing ? updateDeviceAction : createDeviceAction, null);
  const router = useRouter();
  const [dismissed, setDismissed] = useState<string | null>(null);
  const created = !editing && state?.ok ? (state.data as CreatedDevice | undefined) : undefined;
  const showToken = created && dismissed !== created.token;
  const values = state?.values ?? {};
  const errors = state?.errors ?? {};
  const listHref = `/orgs/${orgSlug}/devices`;

  function finish() {
    if (!created) return;
    setDismissed(created.token);
    router.push(`${listHref}/${created.deviceId}`);
  }

  return (
    <>
      <form action={formAction} noValidate>
        <input type="hidden" name="orgSlug" value={orgSlug} />
        {device ? <input type="hidden" name="deviceId" value={device.id} /> : null}
        <Card>
          <CardBody className="space-y-5">
            <FormMessage state={state?.ok ? null : state} />
            <Field
              label="UDID"
              required={!editing}
              error={errors.udid}
              hint={
                editing
                  ? "The UDID identifies the device in the status API and cannot change."
                  : "The device's unique id, as it will call the API: up to 64 letters, digits and . _ : -"
              }
            >
              <Input
                name={editing ? undefined : "udid"}
                defaultValue={editing ? device!.udid : text(values.udid, "")}
                disabled={editing}
                autoComplete="off"
                spellCheck={false}
                maxLength={64}
                className="font-mono"
                placeholder="ce0917198075440c057e"
                autoFocus={!editing}
              />
            </Field>
            <Field label="Name" required={editing} error={errors.name} hint={editing ? undefined : "Shown in the portal and in webhooks. Defaults to the UDID."}>
              <Input name="name" defaultValue={text(values.name, device?.name ?? "")} maxLength={100} placeholder="Galaxy Note 8" />
            </Field>
            <Field label="Tags" error={errors.tags} hint="Comma-separated, e.g. lab-1, android. Webhooks can target devices by tag.">
              <Input name="tags" defaultValue={text(values.tags, device?.tags.join(", ") ?? "")} placeholder="lab-1, android" autoComplete="off" />
            </Field>
            <Field
              label="Offline after (seconds)"
              error={errors.offlineAfterSeconds}
              hint={`A device not heard from for this long is marked offline (${OFFLINE_AFTER_MIN}–${OFFLINE_AFTER_MAX}; default ${OFFLINE_AFTER_DEFAULT}).`}
            >
              <Input
                name="offlineAfterSeconds"
                type="number"
                inputMode="numeric"
                min={OFFLINE_AFTER_MIN}
                max={OFFLINE_AFTER_MAX}
                step={1}
                defaultValue={text(values.offlineAfterSeconds, String(device?.offlineAfterSeconds ?? OFFLINE_AFTER_DEFAULT))}
                className="max-w-40"
              />
            </Field>
          </CardBody>
          <CardFooter>
            <ButtonLink href={device ? `${listHref}/${device.id}` : listHref}>
              Cancel
            </ButtonLink>
            <SubmitButton pendingLabel={editing ? "Saving…" : "Adding…"}>{editing ? "Save" : "Add device"}</SubmitButton>
          </CardFooter>
        </Card>
      </form>
      <Modal
        open={Boolean(showToken)}
        onClose={finish}
        size="lg"
        title={`Device ${created?.name ?? ""} added`}
        description="Give this token to the device. It authenticates its calls to the status API."
        footer={
          <Button variant="primary" onClick={finish}>
            Done, go to device
          </Button>
        }
      >
        {created ? <TokenReveal udid={created.udid} token={created.token} /> : null}
      </Modal>
    </>
  );
}
