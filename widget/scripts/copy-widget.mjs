// The package's vizochok-widget.js is the file the server serves (vizochok/web/static/vizochok-widget.js),
// kept once in the repository: `npm pack` copies it in (prepack) and takes the copy out again (postpack).
//   node scripts/copy-widget.mjs           copy it in
//   node scripts/copy-widget.mjs --remove  take the copy out
import { copyFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../../vizochok/web/static/vizochok-widget.js", import.meta.url));
const copy = fileURLToPath(new URL("../vizochok-widget.js", import.meta.url));

if (process.argv.includes("--remove")) {
  rmSync(copy, { force: true });
} else {
  copyFileSync(source, copy);
}
