import { listEventTypesOp } from "@/lib/api/operations/events";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const GET = route(listEventTypesOp);
