import { createTransport, type Transporter } from 'nodemailer';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery, so a receiver (or a test) can tell a resend from a new message. */
  messageId: string;
  headers: Record<string, string>;
  locale: string;
}

/** How a failed send should be treated. */
export type EmailFailure =
  /** the server could not be reached or the conversation broke: keep it queued, retry without limit */
  | { kind: 'unavailable'; error: string }
  /** 4xx reply: retry, counting attempts */
  | { kind: 'temporary'; error: string }
  /** 5xx reply (unknown mailbox, refused content): do not retry */
  | { kind: 'permanent'; error: string };

/**
 * Sends e-mails through one SMTP server with nodemailer, one connection per message (a server that
 * went away never leaves a broken pooled connection behind), STARTTLS when the server offers it.
 */
export class EmailSender {
  private readonly transport: Transporter;

  constructor(o: { smtpUrl: string; from: string; timeoutMs: number }) {
    const u = new URL(o.smtpUrl);
    this.from = o.from;
    this.transport = createTransport({
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 25)),
      secure: u.protocol === 'smtps:',
      ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
      connectionTimeout: o.timeoutMs,
      greetingTimeout: o.timeoutMs,
      socketTimeout: o.timeoutMs,
      // Loopback servers (local development, tests) are not worth a certificate.
      ...(u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '::1' ? { ignoreTLS: true } : {}),
    });
  }

  private readonly from: string;

  async send(m: EmailMessage): Promise<{ ok: true } | ({ ok: false } & EmailFailure)> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: m.messageId,
        headers: { ...m.headers, 'Content-Language': m.locale },
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, ...classify(err) };
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** nodemailer's error: `responseCode` is the SMTP reply code when the server answered. */
export function classify(err: unknown): EmailFailure {
  const e = err as { responseCode?: number; code?: string; message?: string };
  const error = `${e.code ?? 'EMAIL'}: ${e.message ?? String(err)}`.slice(0, 500);
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500) return { kind: 'permanent', error };
    if (e.responseCode >= 400) return { kind: 'temporary', error };
  }
  return { kind: 'unavailable', error };
}
