// Builds the GOV.UK Frontend assets into static/govuk for WhiteNoise to serve (no CDN).
// Run by `make assets` (part of `make demo` and `make test`).
import { compile, NodePackageImporter } from "sass";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
// Its last line points at all.bundle.js.map, which we do not ship: the comment is stripped, or
// collectstatic's manifest storage fails on the missing map and production serves no page.
const bundle = readFileSync(join(govuk, "all.bundle.js"), "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
if (bundle.includes("sourceMappingURL")) throw new Error("govuk-frontend.js still names a source map");
writeFileSync(join(out, "govuk-frontend.js"), bundle);
// Only the images: we deliberately do not ship the GDS Transport fonts (GOV.UK-only licence).
cpSync(join(govuk, "assets", "images"), join(out, "assets", "images"), { recursive: true });
console.log("built", join(out, "nyth.css"));
