// The route module of each OpenAPI path (shared by the contract and tenancy tests).
import * as devicesRoute from "@/app/api/v1/devices/route";
import * as bulkRoute from "@/app/api/v1/devices/bulk/route";
import * as deviceRoute from "@/app/api/v1/devices/[udid]/route";
import * as tokenRoute from "@/app/api/v1/devices/[udid]/token/route";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import * as webhookRoute from "@/app/api/v1/webhooks/[id]/route";
import * as enableRoute from "@/app/api/v1/webhooks/[id]/enable/route";
import * as disableRoute from "@/app/api/v1/webhooks/[id]/disable/route";
import * as revealRoute from "@/app/api/v1/webhooks/[id]/secret/reveal/route";
import * as rotateRoute from "@/app/api/v1/webhooks/[id]/secret/rotate/route";
import * as testRoute from "@/app/api/v1/webhooks/[id]/test/route";
import * as deliveriesRoute from "@/app/api/v1/deliveries/route";
import * as replayRoute from "@/app/api/v1/deliveries/replay/route";
import * as deliveryRoute from "@/app/api/v1/deliveries/[id]/route";
import * as attemptsRoute from "@/app/api/v1/deliveries/[id]/attempts/route";
import * as redeliverRoute from "@/app/api/v1/deliveries/[id]/redeliver/route";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as eventRoute from "@/app/api/v1/events/[id]/route";
import * as eventTypesRoute from "@/app/api/v1/event-types/route";
import * as eventTypeRoute from "@/app/api/v1/event-types/[type]/route";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mod = Record<string, any>;
/** Route module of each OpenAPI path, and how its folder names the path's parameter. */
export const ROUTES: Record<string, { mod: Mod; param?: [string, string] }> = {
  "/api/v1/devices": { mod: devicesRoute },
  "/api/v1/devices/bulk": { mod: bulkRoute },
  "/api/v1/devices/{id}": { mod: deviceRoute, param: ["id", "udid"] },
  "/api/v1/devices/{id}/token": { mod: tokenRoute, param: ["id", "udid"] },
  "/api/v1/webhooks": { mod: webhooksRoute },
  "/api/v1/webhooks/{id}": { mod: webhookRoute, param: ["id", "id"] },
  "/api/v1/webhooks/{id}/enable": { mod: enableRoute, param: ["id", "id"] },
  "/api/v1/webhooks/{id}/disable": { mod: disableRoute, param: ["id", "id"] },
  "/api/v1/webhooks/{id}/secret/reveal": { mod: revealRoute, param: ["id", "id"] },
  "/api/v1/webhooks/{id}/secret/rotate": { mod: rotateRoute, param: ["id", "id"] },
  "/api/v1/webhooks/{id}/test": { mod: testRoute, param: ["id", "id"] },
  "/api/v1/deliveries": { mod: deliveriesRoute },
  "/api/v1/deliveries/replay": { mod: replayRoute },
  "/api/v1/deliveries/{id}": { mod: deliveryRoute, param: ["id", "id"] },
  "/api/v1/deliveries/{id}/attempts": { mod: attemptsRoute, param: ["id", "id"] },
  "/api/v1/deliveries/{id}/redeliver": { mod: redeliverRoute, param: ["id", "id"] },
  "/api/v1/events": { mod: eventsRoute },
  "/api/v1/events/{id}": { mod: eventRoute, param: ["id", "id"] },
  "/api/v1/event-types": { mod: eventTypesRoute },
  "/api/v1/event-types/{type}": { mod: eventTypeRoute, param: ["type", "type"] },
};

