// A real SMTP server on 127.0.0.1 inside the test process (smtp-server), with mailparser reading what arrived.
// Switchable answers (accept / 4xx / 5xx) and down/up on the same port for outages.
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export type SmtpMode = "accept" | "tempfail" | "reject-recipient";

export type TestSmtp = {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** Raw envelopes: MAIL FROM and RCPT TO of each accepted message. */
  envelopes: { from: string; to: string[] }[];
  mode: (m: SmtpMode) => void;
  clear: () => void;
  down: () => Promise<void>;
  up: () => Promise<void>;
  close: () => Promise<void>;
};

function smtpError(message: string, code: number): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtp(): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const envelopes: { from: string; to: string[] }[] = [];
  let mode: SmtpMode = "accept";
  let port = 0;
  let server: SMTPServer | null = null;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = new SMTPServer({
        secure: false,
        hideSTARTTLS: true,
        authOptional: true,
        disabledCommands: ["STARTTLS"],
        closeTimeout: 50,
        logger: false,
        onRcptTo(address, _session, cb) {
          if (mode === "reject-recipient") return cb(smtpError("550 5.1.1 No such user here", 550));
          cb();
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", async () => {
            if (mode === "tempfail") return cb(smtpError("451 4.3.0 Try again later", 451));
            envelopes.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
            });
            messages.push(await simpleParser(Buffer.concat(chunks)));
            cb();
          });
        },
      });
      s.on("error", () => undefined);
      s.listen(port, "127.0.0.1", () => {
        const addr = s.server.address();
        if (addr && typeof addr === "object") port = addr.port;
        server = s;
        resolve();
      });
      s.server.once("error", reject);
    });

  await listen();
  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    messages,
    envelopes,
    mode: (m) => {
      mode = m;
    },
    clear: () => {
      messages.length = 0;
      envelopes.length = 0;
      mode = "accept";
    },
    down: () =>
      new Promise<void>((resolve) => {
        const s = server;
        server = null;
        if (!s) return resolve();
        s.close(() => resolve());
      }),
    up: () => (server ? Promise.resolve() : listen()),
    close: () =>
      new Promise<void>((resolve) => {
        const s = server;
        server = null;
        if (!s) return resolve();
        s.close(() => resolve());
      }),
  };
}
