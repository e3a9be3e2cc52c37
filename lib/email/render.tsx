import "server-only";
import { render } from "@react-email/components";
import { EmailLayout, type EmailContent, type RenderedEmail } from "./layout";

export type { EmailContent, RenderedEmail };

type Renderer = (content: EmailContent) => Promise<{ html: string; text: string }>;
const g = globalThis as unknown as { __signalpostFallbackRenderer?: Renderer };

/** For processes where react-dom/server cannot load (react-server condition): how to render instead. */
export function setFallbackRenderer(renderer: Renderer): void {
  g.__signalpostFallbackRenderer = renderer;
}

/** Renders an email's HTML and plain-text parts (React Email, on the server). */
export async function renderEmail(content: EmailContent): Promise<RenderedEmail> {
  const element = <EmailLayout content={content} />;
  try {
    const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
    return { subject: content.subject, html, text };
  } catch (err) {
    // `npm run worker` runs under the react-server condition (for "server-only"), where react-dom/server refuses to
    // load: it registers a renderer that uses a thread with the default conditions (scripts/email-render-thread.ts).
    // Next's server and the tests render directly.
    if (err instanceof Error && /not supported in React Server Components/.test(err.message) && g.__signalpostFallbackRenderer) {
      const { html, text } = await g.__signalpostFallbackRenderer(content);
      return { subject: content.subject, html, text };
    }
    throw err;
  }
}
