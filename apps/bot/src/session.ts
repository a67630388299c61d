import type { Client } from "@ox/client";

/**
 * Phone login through the public API, as a person does. Without `otp` it relies on the console
 * SMS provider's `devOtp` (development); production bots pass a session cookie to the client instead.
 */
export async function login(api: Client, phone: string, otp?: string) {
  const sent = await api.auth.requestOtp({ body: { phone } });
  const code = otp ?? sent.devOtp;
  if (!code) throw new Error("no OTP: pass one, or run the API with SMS_PROVIDER=console");
  const { user } = await api.auth.verify({ body: { phone, otp: code } });
  return user;
}
