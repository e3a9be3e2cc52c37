import "server-only";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { render } from "@react-email/components";
import { EmailLayout, type EmailContent, type RenderedEmail } from "./layout";

export type { EmailContent, RenderedEmail };

/** Renders an email's HTML and plain-text parts (React Email, on the server). */
export async function renderEmail(content: EmailContent): Promise<RenderedEmail> {
  const element = <EmailLayout content={content} />;
  try {
    const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
    return { subject: content.subject, html, text };
  } catch (err) {
    // `npm run worker` runs under the react-server condition (for "server-only"), where react-dom/server refuses to
    // load: render in a thread with the default conditions instead. Next's server and the tests render directly.
    if (err instanceof Error && /not supported in React Server Components/.test(err.message)) {
      const { html, text } = await renderInThread(content);
      return { subject: content.subject, html, text };
    }
    throw err;
  }
}

type Pending = Map<number, { resolve: (v: { html: string; text: string }) => void; reject: (e: Error) => void }>;
const g = globalThis as unknown as { __signalpostRenderThread?: { worker: Worker; pending: Pending; next: number } };

function renderThread() {
  if (g.__signalpostRenderThread) return g.__signalpostRenderThread;
  const worker = new Worker(path.join(process.cwd(), "lib/email/render-thread.mjs"), {
    execArgv: [],
    workerData: { layout: path.join(process.cwd(), "lib/email/layout.tsx") },
  });
  const state = { worker, pending: new Map() as Pending, next: 1 };
  worker.on("message", (m: { id: number; html?: string; text?: string; error?: string }) => {
    const p = state.pending.get(m.id);
    if (!p) return;
    state.pending.delete(m.id);
    // an idle thread never keeps the process alive
    if (state.pending.size === 0) state.worker.unref();
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve({ html: m.html!, text: m.text! });
  });
  worker.on("error", (err) => {
    for (const p of state.pending.values()) p.reject(err);
    state.pending.clear();
    g.__signalpostRenderThread = undefined;
  });
  worker.unref();
  g.__signalpostRenderThread = state;
  return state;
}

function renderInThread(content: EmailContent): Promise<{ html: string; text: string }> {
  const t = renderThread();
  const id = t.next++;
  return new Promise((resolve, reject) => {
    t.pending.set(id, { resolve, reject });
    t.worker.ref();
    t.worker.postMessage({ id, content });
  });
}
