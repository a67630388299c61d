import type { Portfolio } from "@ox/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createQueryClient, keys } from "./api/queries";
import { App } from "./app";
import { notificationsKey } from "./components/notification-bell";
import { translate } from "./i18n";
import { takeHomeData } from "./lib/home-data";
import { formatRupees } from "./lib/money";
import { ensureSocket, setUserEventHandlers } from "./state/socket";
import { useUi } from "./state/ui-store";
import "./styles.css";

const queryClient = createQueryClient();
// The list the server rendered into `/` (src/prerender.tsx): the app starts from it, no refetch.
const homeMarkets = takeHomeData();
if (homeMarkets) queryClient.setQueryData(keys.markets, homeMarkets);

setUserEventHandlers({
  order: () => {
    queryClient.invalidateQueries({ queryKey: keys.openOrders });
    queryClient.invalidateQueries({ queryKey: keys.portfolio });
  },
  fill: (f) => {
    const { lang, toast } = useUi.getState();
    const outcome = translate(lang, f.outcome === "NO" ? "no" : "yes");
    toast(
      `${translate(lang, "filled")}: ${translate(lang, f.side === "SELL" ? "sideSELL" : "sideBUY")} ${f.qty} ${outcome} @ ${formatRupees(f.pricePaise)}`,
      "success",
    );
    queryClient.invalidateQueries({ queryKey: keys.portfolio });
    queryClient.invalidateQueries({ queryKey: keys.fills });
    queryClient.invalidateQueries({ queryKey: keys.openOrders });
    queryClient.invalidateQueries({ queryKey: notificationsKey });
  },
  balance: (b) => {
    queryClient.setQueryData<Portfolio>(keys.portfolio, (p) =>
      p ? { ...p, balance: { availablePaise: b.availablePaise, lockedPaise: b.lockedPaise } } : p,
    );
    queryClient.invalidateQueries({ queryKey: keys.transactions });
  },
  changed: (what) => {
    queryClient.invalidateQueries({ queryKey: what === "position" ? keys.portfolio : keys.transactions });
    if (what === "wallet") queryClient.invalidateQueries({ queryKey: keys.portfolio });
    queryClient.invalidateQueries({ queryKey: notificationsKey });
  },
  reconnected: () => {
    // Books come back as snapshots on re-subscribe; trades and the user's own state are re-read.
    for (const queryKey of [
      keys.portfolio,
      keys.openOrders,
      keys.fills,
      keys.transactions,
      ["trades"],
      keys.markets,
      notificationsKey,
    ]) {
      queryClient.invalidateQueries({ queryKey });
    }
  },
});
ensureSocket();
document.documentElement.lang = useUi.getState().lang;

// A fresh root, not hydrateRoot: on `/` it replaces the server's markup in its first commit.
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}
