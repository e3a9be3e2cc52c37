export * from "./accounts";
export * from "./audit";
export * from "./devices";
export * from "./webhooks";
export * from "./events";
export * from "./inbox";
export * from "./emails";
