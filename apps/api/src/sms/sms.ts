/** Sends a text message. Rejects when the provider refused it. */
export interface SmsSender {
  readonly name: "console" | "twilio";
  send(to: string, body: string): Promise<void>;
}

export class SmsError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SmsError";
  }
}

/** Development: writes the message to the log. Refused in production by env.ts. */
export function createConsoleSms(log: (line: string) => void = (l) => console.log(l)): SmsSender {
  return {
    name: "console",
    async send(to, body) {
      log(`[sms] to ${to}: ${body}`);
    },
  };
}
