// Email rendering for scripts run under the react-server condition (`npm run worker`), where react-dom/server refuses
// to load: a thread started with the default conditions renders the layout (scripts/email-render-thread.mjs).
// Outside lib/ on purpose: the Next build never sees the thread.
import path from "node:path";
import { Worker } from "node:worker_threads";
import { setFallbackRenderer, type EmailContent } from "@/lib/email/render";

type Pending = Map<number, { resolve: (v: { html: string; text: string }) => void; reject: (e: Error) => void }>;

export function startEmailRenderThread(root = process.cwd()): void {
  let state: { worker: Worker; pending: Pending; next: number } | null = null;
  const start = () => {
    const worker = new Worker(path.join(root, "scripts/email-render-thread.mjs"), {
      execArgv: [],
      workerData: { layout: path.join(root, "lib/email/layout.tsx") },
    });
    const s = { worker, pending: new Map() as Pending, next: 1 };
    worker.on("message", (m: { id: number; html?: string; text?: string; error?: string }) => {
      const p = s.pending.get(m.id);
      if (!p) return;
      s.pending.delete(m.id);
      // an idle thread never keeps the process alive
      if (s.pending.size === 0) worker.unref();
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve({ html: m.html!, text: m.text! });
    });
    worker.on("error", (err) => {
      for (const p of s.pending.values()) p.reject(err);
      s.pending.clear();
      state = null;
    });
    worker.unref();
    return s;
  };
  setFallbackRenderer((content: EmailContent) => {
    state ??= start();
    const s = state;
    const id = s.next++;
    return new Promise((resolve, reject) => {
      s.pending.set(id, { resolve, reject });
      s.worker.ref();
      s.worker.postMessage({ id, content });
    });
  });
}
