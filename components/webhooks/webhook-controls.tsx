"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button, ConfirmDialog, CopyButton, FormMessage, Modal, Timestamp, Select } from "@/components/ui";
import {
  deleteWebhookAction,
  revealWebhookSecretAction,
  rotateWebhookSecretAction,
  sendTestEventAction,
  setWebhookEnabledAction,
} from "@/lib/actions/webhooks";
import type { ActionState } from "@/lib/actions/safe-action";
import { EVENT_CATALOG, type EventType } from "@/lib/events/catalog";
import type { TestEventResult } from "@/lib/delivery/test-event";
import { TestResult } from "./test-result";

type Ref = { orgSlug: string; id: number; name: string };

const PERIODS = [
  { value: "none", label: "None — the old secret stops verifying at once" },
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
] as const;

/** Signing secret: masked until Reveal (a server action), then copyable; Rotate secret with a transition period. */
export function SecretPanel({ orgSlug, id, name, previousExpiresAt }: Ref & { previousExpiresAt: string | null }) {
  const router = useRouter();
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<ActionState>(null);
  const [pending, start] = useTransition();
  const [rotateOpen, setRotateOpen] = useState(false);
  const [period, setPeriod] = useState<(typeof PERIODS)[number]["value"]>("24h");

  const reveal = () =>
    start(async () => {
      const result = (await revealWebhookSecretAction(null, { orgSlug, id })) as ActionState<{ secret: string }>;
      if (result?.ok && result.data) setSecret(result.data.secret);
      else setMessage(result);
    });
  const rotate = () =>
    start(async () => {
      const result = (await rotateWebhookSecretAction(null, { orgSlug, id, period })) as ActionState<{ secret: string }>;
      setRotateOpen(false);
      setMessage(result);
      if (result?.ok && result.data) setSecret(result.data.secret);
      router.refresh();
    });

  return (
    <div className="space-y-3">
      <code
        data-testid="webhook-secret"
        className="block break-all rounded-md border border-line bg-subtle px-3 py-2 font-mono text-[13px] leading-relaxed"
      >
        {secret ?? "whsec_••••••••••••••••••••••••••••••••••••••••••••"}
      </code>
      <div className="flex flex-wrap items-center gap-2">
        {secret ? (
          <>
            <CopyButton value={secret} />
            <Button size="sm" variant="ghost" onClick={() => setSecret(null)}>
              Hide
            </Button>
          </>
        ) : (
          <Button size="sm" onClick={reveal} pending={pending && !rotateOpen}>
            Reveal
          </Button>
        )}
        <Button size="sm" onClick={() => setRotateOpen(true)} className="ml-auto">
          Rotate secret
        </Button>
      </div>
      {previousExpiresAt ? (
        <p className="rounded-md border border-warning/30 bg-warning-soft px-3 py-2 text-[13px] text-warning">
          Rotation in progress: the previous secret keeps verifying until <Timestamp value={previousExpiresAt} mode="absolute" className="font-medium" />.
          Deliveries carry both signatures until then.
        </p>
      ) : null}
      <FormMessage state={message && (!message.ok || !previousExpiresAt) ? message : null} />
      <Modal
        open={rotateOpen}
        onClose={() => !pending && setRotateOpen(false)}
        title="Rotate signing secret"
        description={`A new secret is created for "${name}". Update your receiver with it.`}
        footer={
          <>
            <Button onClick={() => setRotateOpen(false)} disabled={pending}>
              Cancel
            </Button>
            <Button variant="primary" onClick={rotate} pending={pending}>
              Rotate secret
            </Button>
          </>
        }
      >
        <label htmlFor="rotation-period" className="mb-1.5 block text-sm font-medium">
          Transition period
        </label>
        <Select id="rotation-period" value={period} onChange={(e) => setPeriod(e.target.value as typeof period)}>
          {PERIODS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </Select>
        <p className="mt-2 text-[13px] text-muted">
          During the transition every delivery is signed with both secrets (two <code>v1,</code> signatures in <code>webhook-signature</code>), so a receiver holding
          either one keeps verifying.
        </p>
      </Modal>
    </div>
  );
}

/** Enable / Disable and Delete (through a confirmation modal). */
export function WebhookAdminButtons({ orgSlug, id, name, enabled }: Ref & { enabled: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [confirm, setConfirm] = useState(false);
  const [message, setMessage] = useState<ActionState>(null);
  const toggle = () =>
    start(async () => {
      setMessage(await setWebhookEnabledAction(null, { orgSlug, id, enabled: !enabled }));
      router.refresh();
    });
  const remove = () =>
    start(async () => {
      const result = await deleteWebhookAction(null, { orgSlug, id });
      if (result?.ok) {
        router.push(`/orgs/${orgSlug}/webhooks`);
        router.refresh();
      } else {
        setConfirm(false);
        setMessage(result);
      }
    });
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button onClick={toggle} pending={pending && !confirm}>
        {enabled ? "Disable" : "Enable"}
      </Button>
      <span aria-hidden="true" className="mx-1 h-5 w-px self-center bg-line" />
      <Button variant="danger" onClick={() => setConfirm(true)}>
        Delete
      </Button>
      {message && !message.ok ? <FormMessage state={message} className="w-full" /> : null}
      <ConfirmDialog
        open={confirm}
        onCancel={() => setConfirm(false)}
        onConfirm={remove}
        pending={pending}
        title={`Delete "${name}"?`}
        description="The webhook, its signing secrets and its pending deliveries are removed. Receivers stop getting events at once. This cannot be undone."
        confirmLabel="Delete"
      />
    </div>
  );
}

/** Send test event for a saved webhook, with an event-type picker. */
export function TestEventPanel({ orgSlug, id, defaultType }: { orgSlug: string; id: number; defaultType: EventType }) {
  const router = useRouter();
  const [type, setType] = useState<EventType>(defaultType);
  const [pending, start] = useTransition();
  const [test, setTest] = useState<{ result?: TestEventResult; message?: string } | null>(null);
  const send = () =>
    start(async () => {
      setTest(null);
      const result = (await sendTestEventAction(null, { orgSlug, id, eventType: type })) as ActionState<TestEventResult>;
      setTest({ result: result?.data, message: result?.message });
      router.refresh();
    });
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-56 flex-1">
          <label htmlFor="saved-test-type" className="mb-1.5 block text-sm font-medium">
            Event type
          </label>
          <Select id="saved-test-type" value={type} onChange={(e) => setType(e.target.value as EventType)}>
            {EVENT_CATALOG.map((e) => (
              <option key={e.type} value={e.type}>
                {e.description} ({e.type})
              </option>
            ))}
          </Select>
        </div>
        <Button variant="primary" onClick={send} pending={pending} pendingLabel="Sending…">
          Send test event
        </Button>
      </div>
      {test ? <TestResult result={test.result} message={test.message} /> : null}
    </div>
  );
}
