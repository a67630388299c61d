import type { DEPOSIT_METHODS } from "@ox/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/client";
import { keys, useKyc, usePortfolio } from "../api/queries";
import { AmountForm } from "../components/amount-form";
import { DepositsList } from "../components/deposits-list";
import { KycCard } from "../components/kyc-card";
import { ReferralCard } from "../components/referral-card";
import { QueryView } from "../components/states";
import { TransactionsList } from "../components/transactions-list";
import { WithdrawalsList } from "../components/withdrawals-list";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { useUi } from "../state/ui-store";

/** The contract's methods, listed here so the page does not import zod's runtime. */
const METHODS = ["UPI", "CARD", "NETBANKING"] as const satisfies typeof DEPOSIT_METHODS;

/** The wallet shows every amount to the paisa: ₹482.50, never ₹482.5. */
const fixed = { fixed: true };

export function WalletPage() {
  const t = useT();
  const qc = useQueryClient();
  const portfolio = usePortfolio();
  const kyc = useKyc();
  const toast = useUi((s) => s.toast);
  const [method, setMethod] = useState<(typeof METHODS)[number]>("UPI");
  const kycStatus = kyc.data?.status ?? "NONE";
  const verified = kycStatus === "VERIFIED";
  const refresh = () => {
    qc.invalidateQueries({ queryKey: keys.portfolio });
    qc.invalidateQueries({ queryKey: keys.transactions });
    qc.invalidateQueries({ queryKey: keys.withdrawals });
    qc.invalidateQueries({ queryKey: keys.deposits });
  };
  return (
    <div className="page wallet">
      <h1 className="page-title">{t("navWallet")}</h1>
      <section className="card balance-card" aria-labelledby="bal-h">
        <h2 id="bal-h" className="sr-only">
          {t("navWallet")}
        </h2>
        <QueryView query={portfolio}>
          {(p) => (
            <div className="balances">
              <div>
                <span className="muted small">{t("available")}</span>
                <strong className="big" data-testid="wallet-available">
                  {formatRupees(p.balance.availablePaise, fixed)}
                </strong>
              </div>
              <div>
                <span className="muted small">{t("locked")}</span>
                <strong data-testid="wallet-locked">{formatRupees(p.balance.lockedPaise, fixed)}</strong>
              </div>
              <div>
                <span className="muted small">{t("total")}</span>
                <strong>{formatRupees(p.balance.availablePaise + p.balance.lockedPaise, fixed)}</strong>
              </div>
            </div>
          )}
        </QueryView>
      </section>
      <div className="two-col">
        <section className="card" aria-labelledby="dep-h">
          <h2 id="dep-h">{t("deposit")}</h2>
          <fieldset className="chips method-choice" data-testid="deposit-method">
            <legend className="muted small">{t("payWith")}</legend>
            {METHODS.map((m) => (
              <label key={m} className={`chip-btn${method === m ? " active" : ""}`}>
                <input
                  type="radio"
                  name="deposit-method"
                  className="sr-only"
                  value={m}
                  checked={method === m}
                  onChange={() => setMethod(m)}
                />
                {t(`method${m}`)}
              </label>
            ))}
          </fieldset>
          <AmountForm
            id="deposit-amount"
            action={t("deposit")}
            presets={[100, 500, 1000]}
            onSubmit={async (amount) => {
              const r = await api.wallet.deposit({ body: { amountPaise: amount, method } });
              if (r.redirectUrl) return window.location.assign(r.redirectUrl);
              refresh();
              toast(t("depositDone", { amount: formatRupees(amount, fixed) }), "success");
            }}
          />
        </section>
        <section className="card" aria-labelledby="wd-h">
          <h2 id="wd-h">{t("withdraw")}</h2>
          {!verified && (
            <p className="notice" data-testid="kyc-gate">
              {t("kycGate", { status: t(`kyc${kycStatus}`) })}
            </p>
          )}
          <AmountForm
            id="withdraw-amount"
            action={t("withdraw")}
            disabled={!verified}
            onSubmit={async (amount) => {
              await api.wallet.withdraw({ body: { amountPaise: amount } });
              refresh();
              toast(t("withdrawDone", { amount: formatRupees(amount, fixed) }), "success");
            }}
          />
        </section>
      </div>
      <div className="two-col">
        <KycCard />
        <ReferralCard />
      </div>
      <section className="card" aria-labelledby="deps-h">
        <h2 id="deps-h">{t("deposits")}</h2>
        <DepositsList />
      </section>
      <section className="card" aria-labelledby="wds-h">
        <h2 id="wds-h">{t("withdrawals")}</h2>
        <WithdrawalsList />
      </section>
      <section className="card" aria-labelledby="tx-h">
        <h2 id="tx-h">{t("transactions")}</h2>
        <TransactionsList />
      </section>
    </div>
  );
}
