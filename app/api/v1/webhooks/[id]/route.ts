import { getWebhookOp, updateWebhookOp, deleteWebhookOp } from "@/lib/api/operations/webhooks";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const GET = route(getWebhookOp);
export const PATCH = route(updateWebhookOp);
export const DELETE = route(deleteWebhookOp);
