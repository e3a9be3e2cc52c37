import { disableWebhookOp } from "@/lib/api/operations/webhooks";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const POST = route(disableWebhookOp);
