import type { SessionEvent } from "@ox/contracts";
import { createAccountsRepo, type Db, type Role } from "@ox/db";
import type { Logger } from "pino";

/**
 * What a role change noticed at request time does (a session created under an older ADMIN_PHONES):
 * `users.role` is rewritten, and whoever changed it first publishes ROLE_CHANGED, so the stream
 * disconnects the user's sockets and they reconnect under the new role. A failure is logged, never
 * fails the request (the request already runs under the new role).
 */
export function createRoleChangeHandler(deps: {
  db: Db;
  logger: Logger;
  sessionEvents?: (event: SessionEvent) => void;
}): (change: { userId: string; role: Role }) => Promise<void> {
  const accounts = createAccountsRepo(deps.db);
  return async function roleChanged({ userId, role }) {
    try {
      if (await accounts.setRole(userId, role)) {
        deps.logger.info({ userId, role }, "role changed (ADMIN_PHONES)");
        deps.sessionEvents?.({ type: "ROLE_CHANGED", userId });
      }
    } catch (err) {
      deps.logger.warn({ err, userId }, "role change not recorded in users.role; the next login rewrites it");
    }
  };
}
