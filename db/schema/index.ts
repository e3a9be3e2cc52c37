export * from "./accounts";
export * from "./api-keys";
export * from "./audit";
export * from "./devices";
export * from "./webhooks";
export * from "./events";
export * from "./inbox";
export * from "./fleet";
