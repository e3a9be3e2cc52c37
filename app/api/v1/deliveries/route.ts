import { listDeliveriesOp } from "@/lib/api/operations/deliveries";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const GET = route(listDeliveriesOp);
