// milsymbol.js's SVG of each symbol code in codes.json, on the fixed canvas codes.json names
// (the standard's construction space, 1 px per unit), one JSON object a line:
// {"name": <file name>, "svg": <svg text>}. make_reference.py turns them into the reference PNGs.
import ms from "milsymbol";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { canvas, codes } = JSON.parse(readFileSync(join(here, "codes.json"), "utf8"));
const [x0, y0, w, h] = canvas;
for (const { code, bars } of codes) {
  const symbol = new ms.Symbol(code, { size: 100, simpleStatusModifier: !bars });
  if (!symbol.isValid()) throw new Error(`milsymbol does not know ${code}`);
  // librsvg ignores dominant-baseline: shift by half the x-height (DejaVu Sans, Arial's
  // stand-in here) so the text sits where a browser puts it.
  const svg = symbol.asSVG().replaceAll('dominant-baseline="middle"', 'dy="0.275em"').replace(/^<svg([^>]*?) width="[^"]*" height="[^"]*" viewBox="[^"]*"/,
                                     `<svg$1 width="${w}" height="${h}" viewBox="${x0} ${y0} ${w} ${h}"`);
  process.stdout.write(JSON.stringify({ name: `${code}${bars ? "-bars" : ""}.png`, version: ms.getVersion(), svg }) + "\n");
}
