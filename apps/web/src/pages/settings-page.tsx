import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, errorMessage } from "../api/client";
import { isAdmin, useMe } from "../api/queries";
import { Loading } from "../components/states";
import { type MessageKey, useT } from "../i18n";
import { useUi } from "../state/ui-store";

const KEYS = ["apiKeys"] as const;
type Scope = "read" | "trade" | "wallet" | "admin";
const SCOPE_LABEL: Record<Scope, MessageKey> = {
  read: "scope_read",
  trade: "scope_trade",
  wallet: "scope_wallet",
  admin: "scope_admin",
};

/** Settings: API keys for programs (README "Trading programmatically"); the secret is shown once. */
export function SettingsPage() {
  const t = useT();
  const me = useMe();
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const list = useQuery({ queryKey: KEYS, queryFn: () => api.keys.list() });
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const scopes: Scope[] = isAdmin(me.data ?? null)
    ? ["read", "trade", "wallet", "admin"]
    : ["read", "trade", "wallet"];
  const revoke = useMutation({
    mutationFn: (id: string) => api.keys.revoke({ params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEYS }),
    onError: (e) => toast(errorMessage(e), "error"),
  });

  return (
    <div className="page settings">
      <h1 className="page-title">{t("settingsTitle")}</h1>
      <section className="card" aria-labelledby="keys-h">
        <h2 id="keys-h">{t("apiKeysTitle")}</h2>
        <p className="muted small">{t("apiKeysIntro")}</p>
        {created ? (
          <div className="secret-once" role="status" data-testid="api-key-secret">
            <p>
              <strong>{t("apiKeySecretOnce")}</strong>
            </p>
            <p className="small">
              {t("apiKeyId")}: <code>{created.id}</code>
            </p>
            <p className="small">
              {t("apiKeySecret")}: <code>{created.secret}</code>
            </p>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setCreated(null)}>
              {t("apiKeyDone")}
            </button>
          </div>
        ) : (
          <form
            className="amount-form"
            onSubmit={async (e) => {
              e.preventDefault();
              const form = new FormData(e.currentTarget);
              const chosen = scopes.filter((s) => form.get(`scope-${s}`) === "on");
              if (chosen.length === 0) return toast(t("apiKeyChooseScope"), "error");
              const ips = String(form.get("ips") ?? "")
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean);
              try {
                const res = await api.keys.create({
                  body: {
                    name: String(form.get("name") ?? "").trim(),
                    scopes: chosen,
                    ...(ips.length > 0 && { allowIps: ips }),
                  },
                });
                setCreated({ id: res.key.id, secret: res.secret });
                qc.invalidateQueries({ queryKey: KEYS });
              } catch (err) {
                toast(errorMessage(err), "error");
              }
            }}
          >
            <label className="field" htmlFor="key-name">
              <span>{t("apiKeyName")}</span>
            </label>
            <input id="key-name" name="name" required maxLength={64} />
            <fieldset className="field">
              <legend>{t("apiKeyScopes")}</legend>
              {scopes.map((s) => (
                <label key={s} className="check">
                  <input type="checkbox" name={`scope-${s}`} defaultChecked={s === "read"} />{" "}
                  {t(SCOPE_LABEL[s])}
                </label>
              ))}
            </fieldset>
            <label className="field" htmlFor="key-ips">
              <span>{t("apiKeyIps")}</span>
            </label>
            <input id="key-ips" name="ips" inputMode="text" />
            <button type="submit" className="btn btn-primary">
              {t("apiKeyCreate")}
            </button>
          </form>
        )}
      </section>
      <section className="card" aria-labelledby="keylist-h">
        <h2 id="keylist-h">{t("apiKeysList")}</h2>
        {list.isPending ? (
          <Loading />
        ) : !list.data || list.data.keys.length === 0 ? (
          <p className="muted small">{t("apiKeysNone")}</p>
        ) : (
          <ul className="key-list" data-testid="api-keys">
            {list.data.keys.map((k) => (
              <li key={k.id}>
                <strong>{k.name}</strong> <code className="small">{k.id}</code>{" "}
                <span className="muted small">
                  {k.scopes.map((s) => t(SCOPE_LABEL[s])).join(", ")} ·{" "}
                  {k.revokedAt ? t("apiKeyRevoked") : t("apiKeyActive")}
                </span>{" "}
                {!k.revokedAt && (
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate(k.id)}
                  >
                    {t("apiKeyRevoke")}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
