import { redeliverOp } from "@/lib/api/operations/deliveries";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const POST = route(redeliverOp);
