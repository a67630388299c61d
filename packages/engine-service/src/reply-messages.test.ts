import { expect, test } from "bun:test";
import type { CommandReply } from "@ox/contracts/pipeline";
import { replyMessages } from "./reply.ts";

const reply = (id: string): CommandReply => ({ id, code: "OK", duplicate: false, order: null, lastSeq: 0 });

test("one message per reply channel, in order; a lone reply as itself; no channel, no message", () => {
  const messages = replyMessages([
    { replyTo: "ox:replies:a", reply: reply("1") },
    { replyTo: null, reply: reply("timer") },
    { replyTo: "ox:replies:b", reply: reply("2") },
    { replyTo: "ox:replies:a", reply: reply("3") },
  ]);
  expect(messages).toEqual([
    ["ox:replies:a", { replies: [reply("1"), reply("3")] }],
    ["ox:replies:b", reply("2")],
  ]);
  expect(replyMessages([])).toEqual([]);
});
