import { listWebhooksOp, createWebhookOp } from "@/lib/api/operations/webhooks";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const GET = route(listWebhooksOp);
export const POST = route(createWebhookOp);
