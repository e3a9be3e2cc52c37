// The email render thread for scripts that run under the react-server condition (`npm run worker`), where
// react-dom/server cannot load. Started by scripts/email-render-thread.ts with the default conditions.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { createElement } from "react";
import { render } from "@react-email/components";

// the worker script runs through tsx: load the TSX layout with its API (this thread has no loader of its own)
const { tsImport } = await import("tsx/esm/api");
const { EmailLayout } = await tsImport(pathToFileURL(workerData.layout).href, import.meta.url);

parentPort.on("message", async ({ id, content }) => {
  try {
    const element = createElement(EmailLayout, { content });
    const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
    parentPort.postMessage({ id, html, text });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
