// Bundles app.jsx (React, react-dom and the original @upstash/realtime client) into <outdir>/app.js
// and copies index.html next to it. Used by UpstashReactClientTest: node build.mjs <outdir>
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2] ?? join(here, "dist");
await mkdir(outdir, { recursive: true });
await build({
  absWorkingDir: here,
  entryPoints: ["app.jsx"],
  bundle: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  // React picks its production build from process.env.NODE_ENV, which browsers do not have.
  define: { "process.env.NODE_ENV": '"production"' },
  outfile: join(outdir, "app.js"),
  logLevel: "warning",
});
await copyFile(join(here, "index.html"), join(outdir, "index.html"));
