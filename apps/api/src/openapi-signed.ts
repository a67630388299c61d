import { SIGNATURE_MAX_SKEW_MS, SIGNED_HEADERS } from "@ox/contracts";

interface Operation {
  security?: Record<string, string[]>[];
}
interface Document {
  info: { description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, unknown> };
}

const SIGNING = `Signed requests (programs): ${SIGNED_HEADERS.key} = the key id, ${SIGNED_HEADERS.timestamp} = epoch ms (at most ${SIGNATURE_MAX_SKEW_MS / 1000} s from the server's clock), ${SIGNED_HEADERS.signature} = base64(HMAC-SHA256(secret, timestamp + METHOD + path with query + body as sent)). Each signature is accepted once. Create keys with POST /api/v1/keys (web session).`;

/**
 * The document with the API-key scheme: three header parts required together (one security
 * requirement), offered beside the cookie on every operation that takes the session cookie.
 */
export function addSignedScheme<D>(input: D): D {
  const doc = input as unknown as Document;
  const schemes = {
    oxAccessKey: { type: "apiKey", in: "header", name: SIGNED_HEADERS.key, description: "API key id" },
    oxAccessTimestamp: {
      type: "apiKey",
      in: "header",
      name: SIGNED_HEADERS.timestamp,
      description: "Epoch ms",
    },
    oxAccessSignature: {
      type: "apiKey",
      in: "header",
      name: SIGNED_HEADERS.signature,
      description: "base64(HMAC-SHA256(secret, timestamp + METHOD + path?query + body))",
    },
  };
  doc.components = { ...doc.components, securitySchemes: { ...doc.components?.securitySchemes, ...schemes } };
  doc.info.description = [doc.info.description, SIGNING].filter(Boolean).join("\n\n");
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const keyless = path.startsWith("/api/v1/keys") || path.startsWith("/api/v1/auth/");
    for (const op of Object.values(item)) {
      if (keyless || !op.security?.some((s) => "cookieAuth" in s)) continue;
      op.security = [...op.security, { oxAccessKey: [], oxAccessTimestamp: [], oxAccessSignature: [] }];
    }
  }
  return input;
}
