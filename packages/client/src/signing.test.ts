import { expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { signatureClock, signedHeaders } from "./client.ts";

test("the signature clock never gives one millisecond twice, even for calls within one", () => {
  const stamps = Array.from({ length: 1_000 }, () => signatureClock());
  for (let i = 1; i < stamps.length; i++)
    expect(stamps[i] as number).toBeGreaterThan(stamps[i - 1] as number);
  expect(Math.abs((stamps.at(-1) as number) - Date.now())).toBeLessThan(5_000); // within the accepted skew
});

test("two identical requests signed back to back carry different signatures", async () => {
  const key = { id: "ak_test", secret: "s3cret" };
  const a = await signedHeaders(key, "POST", "/api/v1/orders", '{"q":1}');
  const b = await signedHeaders(key, "POST", "/api/v1/orders", '{"q":1}');
  expect(a["OX-ACCESS-SIGNATURE"]).not.toBe(b["OX-ACCESS-SIGNATURE"]);
  // Each is HMAC-SHA256(secret, timestamp + METHOD + path + body), base64.
  const expected = createHmac("sha256", key.secret)
    .update(`${a["OX-ACCESS-TIMESTAMP"]}POST/api/v1/orders{"q":1}`)
    .digest("base64");
  expect(a["OX-ACCESS-SIGNATURE"]).toBe(expected);
});
