// Builds the GOV.UK Frontend assets into static/govuk for WhiteNoise to serve (no CDN).
// Run by `make assets` (part of `make demo` and `make test`).
import { compile, NodePackageImporter } from "sass";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "core", "static", "govuk");

mkdirSync(out, { recursive: true });
const css = compile(join(root, "frontend", "nyth.scss"), {
  style: "compressed",
  importers: [new NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "nyth.css"), css.css);
// The UMD bundle defines window.GOVUKFrontend, so a plain (non-module) script can start it.
cpSync(join(govuk, "all.bundle.js"), join(out, "govuk-frontend.js"));
// Only the images: we deliberately do not ship the GDS Transport fonts (GOV.UK-only licence).
cpSync(join(govuk, "assets", "images"), join(out, "assets", "images"), { recursive: true });
console.log("built", join(out, "nyth.css"));
