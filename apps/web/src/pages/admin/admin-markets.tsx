import type { Market } from "@ox/client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, errorMessage } from "../../api/client";
import { keys } from "../../api/queries";
import { Link } from "../../components/link";
import { QueryView } from "../../components/states";
import { categoryLabel, useT } from "../../i18n";
import { formatDateTime } from "../../lib/time";
import { useUi } from "../../state/ui-store";
import { admin } from "./admin-api";
import { ConfirmButton } from "./confirm-button";
import { ResolvePanel } from "./resolve-panel";

export function AdminMarkets() {
  const t = useT();
  const q = useQuery({
    queryKey: ["admin", "markets"],
    queryFn: async () => (await api.markets.list()).markets,
  });
  return (
    <>
      <CreateMarketForm />
      <section className="card" aria-labelledby="am-h">
        <h2 id="am-h">{t("adminMarkets")}</h2>
        <QueryView query={q} isEmpty={(l) => l.length === 0} empty={t("noMarkets")}>
          {(l) => (
            <ul className="list" data-testid="admin-markets">
              {l.map((m) => (
                <MarketRow key={m.id} m={m} />
              ))}
            </ul>
          )}
        </QueryView>
      </section>
    </>
  );
}

function MarketRow({ m }: { m: Market }) {
  const t = useT();
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const refresh = () => {
    qc.invalidateQueries({ queryKey: ["admin", "markets"] });
    qc.invalidateQueries({ queryKey: keys.markets });
    qc.invalidateQueries({ queryKey: keys.market(m.id) });
  };
  const run = (fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
      refresh();
    } catch (e) {
      toast(errorMessage(e), "error");
    }
  };
  const live = m.status === "OPEN" || m.status === "CLOSED";
  return (
    <li className="list-row admin-market" data-testid="admin-market" data-status={m.status}>
      <div className="grow">
        <Link href={`/markets/${encodeURIComponent(m.id)}`} className="row-title">
          {m.title}
        </Link>
        <div className="muted small">
          <span className={`status status-${m.status.toLowerCase()}`}>{t(`status${m.status}`)}</span> ·{" "}
          {categoryLabel(t, m.category)} · {formatDateTime(m.closeAt)}
          {m.outcome ? ` · ${t(`outcome${m.outcome}`)}` : ""}
        </div>
      </div>
      {live && (
        <div className="admin-actions">
          {m.status === "OPEN" && (
            <ConfirmButton
              label={t("closeMarket")}
              action={`${t("closeMarket")}: ${m.title}`}
              onConfirm={run(async () => {
                await admin.closeMarket(m.id);
                toast(t("closedToast"), "success");
              })}
            />
          )}
          <ResolvePanel m={m} onDone={refresh} />
        </div>
      )}
    </li>
  );
}

function CreateMarketForm() {
  const t = useT();
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const d = new FormData(form);
    const s = (k: string) => String(d.get(k) ?? "").trim();
    const closeAt = Date.parse(s("closeAt"));
    if (!s("title") || !s("category") || !Number.isFinite(closeAt))
      return setError(`${t("titleLabel")}, ${t("categoryLabel")}, ${t("closeAtLabel")}`);
    setBusy(true);
    setError(null);
    try {
      const tickPaise = Number(s("tick")) || undefined;
      await admin.createMarket({
        title: s("title"),
        ...(s("titleHi") ? { titleHi: s("titleHi") } : {}),
        description: s("description"),
        category: s("category"),
        rules: s("rules"),
        resolutionSource: s("resolutionSource"),
        closeAt,
        ...(tickPaise ? { tickPaise } : {}),
      });
      form.reset();
      qc.invalidateQueries({ queryKey: ["admin", "markets"] });
      qc.invalidateQueries({ queryKey: keys.markets });
      toast(t("createdToast"), "success");
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="cm-h">
      <h2 id="cm-h">{t("createMarket")}</h2>
      <form className="grid-form" onSubmit={submit} noValidate>
        <label className="field wide">
          <span>{t("titleLabel")}</span>
          <input name="title" required />
        </label>
        <label className="field wide">
          <span>{t("titleHiLabel")}</span>
          <input name="titleHi" lang="hi" />
        </label>
        <label className="field wide">
          <span>{t("descriptionLabel")}</span>
          <textarea name="description" rows={2} />
        </label>
        <label className="field">
          <span>{t("categoryLabel")}</span>
          <input name="category" list="categories" required />
        </label>
        <datalist id="categories">
          {["Cricket", "Politics", "Economy", "Crypto", "Weather", "Entertainment"].map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <label className="field">
          <span>{t("closeAtLabel")}</span>
          <input name="closeAt" type="datetime-local" required />
        </label>
        <label className="field wide">
          <span>{t("rulesLabel")}</span>
          <textarea name="rules" rows={2} />
        </label>
        <label className="field">
          <span>{t("source")}</span>
          <input name="resolutionSource" />
        </label>
        <label className="field">
          <span>{t("tickLabel")}</span>
          <input name="tick" type="number" min={10} step={10} placeholder="50" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t("createMarket")}
        </button>
        {error && (
          <p className="form-error wide" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
