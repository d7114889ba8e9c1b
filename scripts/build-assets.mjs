// Copies the front-end packages the pages use from node_modules into zhibiao/static/vendor,
// where Django's staticfiles (and whitenoise) serve them: no CDN, no network at run time.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "zhibiao", "static", "vendor");

const files = [
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
  ["echarts/LICENSE", "echarts/LICENSE"],
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["bootstrap/LICENSE", "bootstrap/LICENSE"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["htmx.org/LICENSE", "htmx/LICENSE"],
  // QR decoding on the staff check-in page where the browser lacks BarcodeDetector.
  ["jsqr/dist/jsQR.js", "jsqr/jsQR.js"],
  ["jsqr/LICENSE", "jsqr/LICENSE"],
];

rmSync(vendor, { recursive: true, force: true });
for (const [from, to] of files) {
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(root, "node_modules", from), target);
}
writeFileSync(join(vendor, ".built"), new Date().toISOString() + "\n");
console.log(`copied ${files.length} files into zhibiao/static/vendor`);
