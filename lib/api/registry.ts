import "server-only";
import type { AnyOperation } from "./operation";
import { deliveryOperations } from "./operations/deliveries";
import { deviceOperations } from "./operations/devices";
import { eventOperations } from "./operations/events";
import { webhookOperations } from "./operations/webhooks";

/** Every operation of the public API, in the order the reference lists them. */
export const API_OPERATIONS: readonly AnyOperation[] = [...deviceOperations, ...webhookOperations, ...deliveryOperations, ...eventOperations];
