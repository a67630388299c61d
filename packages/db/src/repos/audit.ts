import type { DbOrTx } from "../client.ts";
import { auditLog } from "../schema/index.ts";

export async function recordAudit(
  tx: DbOrTx,
  entry: {
    actorId: string;
    action: string;
    targetType: string;
    targetId: string;
    data?: Record<string, unknown>;
    now: number;
  },
): Promise<void> {
  await tx.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    data: entry.data ?? null,
    createdAt: entry.now,
  });
}
