// The icon drawings of the entries desktop/core/sidc_tables.py names, taken from milsymbol.js
// (MIT licence, (c) Måns Beckman) in the standard's 200 x 200 construction space, for
// desktop/gui/symbology.py to draw. Regenerate after changing the tables:
//   npm install --prefix tests/reference/symbols
//   .venv/bin/python -c "import json; from desktop.core.sidc_tables import icon_keys; print(json.dumps(icon_keys()))" \
//     | node tests/reference/symbols/extract_icons.mjs > desktop/gui/symbol_icons.json
import ms from "milsymbol";
import { readFileSync } from "node:fs";

const AFFILIATIONS = { friend: ["F", "3"], hostile: ["H", "6"], neutral: ["N", "4"], unknown: ["U", "1"] };
const BASE_ENTITY = { "10": "121100", "01": "110100" };  // modifiers are what they add to these

function code(key, aff, withModifier) {
  const [family, a, b, c] = key.split(":");
  const [letter, digit] = AFFILIATIONS[aff];
  if (family === "C") return "S" + letter + a + "P" + b.padEnd(6, "-") + "-----";
  if (c === undefined) return "100" + digit + a + "0000" + b + "0000";
  const mods = !withModifier ? "0000" : b === "1" ? c + "00" : "00" + c;
  return "100" + digit + a + "0000" + BASE_ENTITY[a] + mods;
}

function colour(value, colors, aff) {
  if (value === false || value === undefined || value === "none") return null;
  const name = aff[0].toUpperCase() + aff.slice(1);
  if (value === colors.iconColor[name] || value === colors.black[name]) return "ink";
  if (value === colors.fillColor[name] || value === colors.iconFillColor[name]) return "fill";
  if (value === colors.white[name] || value === "white" || value === "rgb(239, 239, 239)") return "white";
  for (const [other, c] of Object.entries(colors.fillColor)) if (value === c) return `fill:${other.toLowerCase()}`;
  throw new Error(`unexpected colour ${value}`);
}

// Plain instructions: {t: path|circle|text, ..., fill, stroke, w}; translate/scale kept as wrappers.
function clean(item, colors, aff) {
  if (Array.isArray(item)) return item.flatMap((i) => clean(i, colors, aff));
  if (!item || typeof item !== "object") return [];
  if (item.type === "translate") return [{ t: "translate", x: item.x, y: item.y, draw: clean(item.draw, colors, aff) }];
  if (item.type === "scale") return [{ t: "scale", k: item.factor, draw: clean(item.draw, colors, aff) }];
  const out = { t: item.type, fill: colour(item.fill, colors, aff), stroke: colour(item.stroke, colors, aff),
                w: item.strokewidth ?? 3 };
  if (item.type === "path") out.d = item.d;
  else if (item.type === "circle") Object.assign(out, { cx: item.cx, cy: item.cy, r: item.r });
  else if (item.type === "text") {
    Object.assign(out, { x: item.x, y: item.y, size: item.fontsize, text: item.text,
                         anchor: item.textanchor || "start", bold: (item.fontweight || "bold") === "bold",
                         middle: item.alignmentBaseline === "middle" });
  } else throw new Error(`unexpected instruction ${item.type}`);
  return [out];
}

const hasIcon = (item) => Array.isArray(item) ? item.some(hasIcon)
  : !!item && typeof item === "object" && (item.icon === true || (item.draw !== undefined && hasIcon(item.draw)));

function iconOf(sidc) {
  const symbol = new ms.Symbol(sidc, { size: 100 });
  if (!symbol.isValid()) throw new Error(`milsymbol does not know ${sidc}`);
  return { items: symbol.drawInstructions.flat(Infinity).filter(hasIcon), colors: symbol.colors };
}

const keys = JSON.parse(readFileSync(0, "utf8"));
const drawings = [], index = new Map(), icons = {};
for (const key of keys) {
  icons[key] = {};
  for (const aff of Object.keys(AFFILIATIONS)) {
    const { items, colors } = iconOf(code(key, aff, true));
    let mine = items;
    if (key.split(":").length === 4) {  // a modifier: what it adds to its base entity
      const base = new Set(iconOf(code(key, aff, false)).items.map((i) => JSON.stringify(i)));
      mine = items.filter((i) => !base.has(JSON.stringify(i)));
    }
    const drawing = JSON.stringify(clean(mine, colors, aff));
    if (!index.has(drawing)) { index.set(drawing, drawings.length); drawings.push(JSON.parse(drawing)); }
    icons[key][aff] = index.get(drawing);
  }
}
process.stdout.write(JSON.stringify({ source: `milsymbol ${ms.getVersion()}`, drawings, icons }) + "\n");
