import { SmsError, type SmsSender } from "./sms.ts";

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  from: string;
  /** https://api.twilio.com, or a local stand-in for tests. */
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Twilio Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded, HTTP basic auth. */
export function createTwilioSms(options: TwilioOptions): SmsSender {
  const base = (options.baseUrl ?? "https://api.twilio.com").replace(/\/$/, "");
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString("base64")}`;
  const doFetch = options.fetch ?? fetch;
  return {
    name: "twilio",
    async send(to, body) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers: {
            authorization: auth,
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
          },
          body: new URLSearchParams({ To: to, From: options.from, Body: body }).toString(),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (cause) {
        throw new SmsError("twilio unreachable", undefined, { cause });
      }
      if (!res.ok) {
        const detail = await res.text().catch(() => "");
        throw new SmsError(
          `twilio refused the message: HTTP ${res.status} ${detail.slice(0, 200)}`,
          res.status,
        );
      }
    },
  };
}
