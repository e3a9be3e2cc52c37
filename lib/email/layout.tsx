// The one layout of every Signalpost email (React Email components). No "server-only" here: the render thread
// (render-thread.mjs) loads it in a process whose module conditions exclude react-server.
import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";

/** An email ready for the outbox: the subject and both parts. */
export type RenderedEmail = { subject: string; html: string; text: string };

/**
 * What an email says, as data: every Signalpost email is this one layout (a heading, paragraphs, optional
 * label/value details, one call to action linking into the portal, a footer), rendered by React Email to HTML and
 * to plain text on the server. Text is escaped by React, so names and error messages cannot inject markup.
 */
export type EmailContent = {
  subject: string;
  /** The inbox preview line (defaults to the first paragraph). */
  preview?: string;
  heading: string;
  paragraphs: string[];
  details?: [label: string, value: string][];
  action?: { label: string; url: string };
  /** Small print under the rule (why you got this). */
  footer?: string;
  /** Shown as a link in the footer of notifications (the List-Unsubscribe header is set by the caller). */
  unsubscribeUrl?: string;
};

const font = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

export function EmailLayout({ content }: { content: EmailContent }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{content.preview ?? content.paragraphs[0] ?? content.heading}</Preview>
      <Body style={{ backgroundColor: "#f4f4f5", fontFamily: font, margin: 0, padding: "24px 0" }}>
        <Container style={{ backgroundColor: "#ffffff", borderRadius: 8, padding: "24px 32px", maxWidth: 560 }}>
          <Text style={{ color: "#4f46e5", fontSize: 14, fontWeight: 600, margin: "0 0 8px" }}>Signalpost</Text>
          <Heading as="h1" style={{ color: "#18181b", fontSize: 20, margin: "0 0 16px" }}>
            {content.heading}
          </Heading>
          {content.paragraphs.map((p, i) => (
            <Text key={i} style={{ color: "#27272a", fontSize: 15, lineHeight: "22px" }}>
              {p}
            </Text>
          ))}
          {content.details && content.details.length > 0 ? (
            <Section style={{ margin: "8px 0 16px" }}>
              {content.details.map(([label, value], i) => (
                <Text key={i} style={{ color: "#27272a", fontSize: 14, margin: "2px 0" }}>
                  <strong>{label}:</strong> {value}
                </Text>
              ))}
            </Section>
          ) : null}
          {content.action ? (
            <Section style={{ margin: "16px 0" }}>
              <Button
                href={content.action.url}
                style={{ backgroundColor: "#4f46e5", borderRadius: 6, color: "#ffffff", fontSize: 15, padding: "10px 18px" }}
              >
                {content.action.label}
              </Button>
              <Text style={{ color: "#71717a", fontSize: 12, wordBreak: "break-all" }}>
                Or open this link: <Link href={content.action.url}>{content.action.url}</Link>
              </Text>
            </Section>
          ) : null}
          {content.footer || content.unsubscribeUrl ? (
            <>
              <Hr style={{ borderColor: "#e4e4e7", margin: "24px 0 12px" }} />
              {content.footer ? <Text style={{ color: "#71717a", fontSize: 12 }}>{content.footer}</Text> : null}
              {content.unsubscribeUrl ? (
                <Text style={{ color: "#71717a", fontSize: 12 }}>
                  <Link href={content.unsubscribeUrl}>Unsubscribe</Link> from these emails.
                </Text>
              ) : null}
            </>
          ) : null}
        </Container>
      </Body>
    </Html>
  );
}

