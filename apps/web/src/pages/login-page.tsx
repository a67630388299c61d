import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api, errorMessage } from "../api/client";
import { keys, useMe } from "../api/queries";
import { Link } from "../components/link";
import { type T, useT } from "../i18n";
import { authErrorKey, OTP_LENGTH } from "../lib/auth-errors";
import { useNow } from "../lib/use-now";
import { navigate, useRoute } from "../state/router";
import { reauthenticateSocket } from "../state/socket";
import { useUi } from "../state/ui-store";

/** "98765 43210", "+91 98765 43210", "098765…" → "+919876543210"; null if not an Indian mobile. */
export function toE164(input: string): string | null {
  const digits = input.replace(/[^\d+]/g, "");
  const m = /^(?:\+?91|0)?([6-9]\d{9})$/.exec(digits);
  return m ? `+91${m[1]}` : null;
}

/** Where to go after login: a same-site `next` path, else home (never `//host` or /login itself). */
export function loginTarget(search: string): string {
  const next = new URLSearchParams(search).get("next");
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}

/** The server's code in the user's words where the login page knows it; else the generic text. */
function loginError(t: T, e: unknown): string {
  const key = e instanceof ApiError ? authErrorKey(e.code) : null;
  return key ? t(key) : errorMessage(e);
}

export function LoginPage() {
  const t = useT();
  const qc = useQueryClient();
  const search = useRoute((s) => s.search);
  const [phoneInput, setPhoneInput] = useState("");
  const [otp, setOtp] = useState("");
  const [sent, setSent] = useState<{
    phone: string;
    expiresInSec: number;
    resendInSec: number;
    resendAt: number;
    devOtp?: string;
  } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const { lang, setLang } = useUi();
  const me = useMe();
  // Already logged in (or just now): /login is not a page to stay on.
  useEffect(() => {
    if (me.data) navigate(loginTarget(search), { replace: true });
  }, [me.data, search]);
  const ref = new URLSearchParams(search).get("ref");
  if (ref) sessionStorage.setItem("ox.ref", ref);
  // A new user's signup can carry a friend's code (prefilled from a shared ?ref= link).
  const [refCode, setRefCode] = useState(() => ref ?? sessionStorage.getItem("ox.ref") ?? "");
  const toast = useUi((s) => s.toast);

  const requestOtp = useMutation({
    mutationFn: (phone: string) => api.auth.requestOtp({ body: { phone } }),
    onSuccess: (r, phone) => {
      setSent({
        phone,
        expiresInSec: r.expiresInSec,
        resendInSec: r.resendInSec,
        resendAt: Date.now() + r.resendInSec * 1000,
        devOtp: r.devOtp,
      });
      setOtp("");
    },
  });
  const verify = useMutation({
    mutationFn: (code: string) => api.auth.verify({ body: { phone: sent?.phone ?? "", otp: code } }),
    onSuccess: async (r) => {
      qc.clear();
      qc.setQueryData(keys.me, r.user);
      reauthenticateSocket();
      // Only a first login redeems here (the same API as the wallet's card); a wrong code does not block.
      const code = refCode.trim();
      if (r.user.isNew && code) {
        try {
          await api.referrals.redeem({ body: { code } });
          sessionStorage.removeItem("ox.ref");
          toast(t("redeemDone"), "success");
        } catch (err) {
          toast(errorMessage(err), "error");
        }
      }
      navigate(loginTarget(search), { replace: true });
    },
  });

  const onPhone = (e: FormEvent) => {
    e.preventDefault();
    const phone = toE164(phoneInput);
    if (!phone) return setFormError(t("invalidPhone"));
    setFormError(null);
    requestOtp.mutate(phone);
  };
  const now = useNow();
  // The server refuses a new code before `resendInSec`; the button waits for it visibly.
  // `now` may be up to a tick old, so the first render is capped at the server's own number.
  const resendIn = sent
    ? Math.min(sent.resendInSec, Math.max(0, Math.ceil((sent.resendAt - now) / 1000)))
    : 0;
  const onResend = () => {
    if (sent && resendIn === 0 && !requestOtp.isPending) requestOtp.mutate(sent.phone);
  };
  const onOtp = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate(otp);
  };
  // The sixth digit submits: no extra tap after typing or pasting the SMS code.
  const onOtpInput = (value: string) => {
    const digits = value.replace(/\D/g, "").slice(0, OTP_LENGTH);
    setOtp(digits);
    if (digits.length === OTP_LENGTH && digits !== otp && !verify.isPending) verify.mutate(digits);
  };
  const error =
    formError ??
    (requestOtp.error ? loginError(t, requestOtp.error) : verify.error ? loginError(t, verify.error) : null);

  return (
    <main className="login">
      {sent?.devOtp && (
        <div className="devbanner" role="status" data-testid="dev-otp">
          {t("devOtp", { otp: sent.devOtp })}
        </div>
      )}
      <div className="login-card card">
        <div className="login-head">
          <Link href="/" className="brand-mark big">
            OX
          </Link>
          <select
            aria-label={t("language")}
            value={lang}
            onChange={(e) => setLang(e.target.value as "en" | "hi")}
          >
            <option value="en">English</option>
            <option value="hi">हिंदी</option>
          </select>
        </div>
        <h1>{t("appName")}</h1>
        <p className="muted">{t("tagline")}</p>
        {!sent ? (
          <form onSubmit={onPhone} className="stack" noValidate>
            <label className="field">
              <span>{t("phoneLabel")}</span>
              <div className="phone-input">
                <span className="prefix" aria-hidden="true">
                  +91
                </span>
                <input
                  type="tel"
                  inputMode="numeric"
                  autoComplete="tel-national"
                  value={phoneInput}
                  onChange={(e) => setPhoneInput(e.target.value)}
                  placeholder="98765 43210"
                  aria-describedby="phone-hint"
                  required
                />
              </div>
              <small id="phone-hint" className="muted">
                {t("phoneHint")}
              </small>
            </label>
            <label className="field">
              <span>{t("signupRefLabel")}</span>
              <input
                name="referral"
                value={refCode}
                onChange={(e) => setRefCode(e.target.value)}
                autoCapitalize="characters"
                data-testid="signup-referral"
              />
            </label>
            <button type="submit" className="btn btn-primary btn-block" disabled={requestOtp.isPending}>
              {requestOtp.isPending ? t("loading") : t("sendOtp")}
            </button>
            <p className="muted small">{t("bonusNote")}</p>
          </form>
        ) : (
          <form onSubmit={onOtp} className="stack" noValidate>
            <p className="muted small">{t("otpSent", { phone: sent.phone, sec: sent.expiresInSec })}</p>
            <label className="field">
              <span>{t("otpLabel")}</span>
              <input
                type="text"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={OTP_LENGTH}
                value={otp}
                onChange={(e) => onOtpInput(e.target.value)}
                className="otp-input"
                required
              />
            </label>
            <button
              type="submit"
              className="btn btn-primary btn-block"
              disabled={verify.isPending || otp.length < OTP_LENGTH}
            >
              {verify.isPending ? t("loading") : t("verifyOtp")}
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-block"
              data-testid="resend-otp"
              disabled={resendIn > 0 || requestOtp.isPending}
              onClick={onResend}
            >
              {resendIn > 0 ? t("resendOtpIn", { sec: resendIn }) : t("resendOtp")}
            </button>
            <button type="button" className="btn btn-ghost btn-block" onClick={() => setSent(null)}>
              {t("changePhone")}
            </button>
          </form>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </main>
  );
}
