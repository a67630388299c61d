import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const api = process.env.OX_API_URL ?? "http://localhost:3000";

/** Below this a compressed copy saves less than the headers it costs. */
const MIN_BYTES = 1024;
const COMPRESSIBLE = /\.(js|css|svg|html)$/;

/**
 * Writes `<file>.br` (quality 11) and `<file>.gz` (level 9) beside every JS/CSS/SVG/HTML file of the
 * build over 1 KB, so the API serves them precompressed (apps/api/src/static-web.ts) without spending
 * CPU per request. node's zlib does it; no plugin dependency for ~20 lines.
 */
function precompress(): Plugin {
  let outDir = "dist";
  let ssr = false;
  return {
    name: "ox-precompress",
    apply: "build",
    configResolved(config) {
      ssr = !!config.build.ssr;
      outDir = config.build.outDir.startsWith("/")
        ? config.build.outDir
        : join(config.root, config.build.outDir);
    },
    closeBundle() {
      if (ssr) return; // the server render (dist-server) is imported, never sent
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const path = join(dir, name);
          return statSync(path).isDirectory() ? walk(path) : [path];
        });
      for (const file of walk(outDir)) {
        if (!COMPRESSIBLE.test(file) || statSync(file).size < MIN_BYTES) continue;
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 11,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
      }
    },
  };
}

export default defineConfig(({ isSsrBuild }) => ({
  plugins: [react(), precompress()],
  server: {
    proxy: {
      "/api": { target: api, changeOrigin: false },
      "/socket.io": { target: api, ws: true },
    },
  },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 400 },
  // `vite build --ssr src/prerender.tsx --outDir dist-server`: the home page's server render, one
  // self-contained module (React and the workspace packages bundled in) that the API imports.
  ssr: { noExternal: true },
  // The server render is always React's production build, whatever NODE_ENV the API runs under.
  define: isSsrBuild ? { "process.env.NODE_ENV": JSON.stringify("production") } : undefined,
}));
