"""The text amplifiers of the units drawn in full, other than their names
(desktop.core.unit_amplifiers): a land unit's higher formation (MIL-STD-2525 / APP-6
field M) and an aircraft's altitude or flight level (field X).

Both sit where the standard puts them: right of the symbol, on the line below its centre
(field M of a land unit; the speed/altitude line of an air track: milsymbol.js's fourth
line on the right), beyond the flag ring if the unit has one. They are optional: laid out
last, after every other label (names, sector ids, towns, and the aircraft callsigns that
stand for hidden names), a text is shown only where its spot lies in view, covers
no symbol, ring, label, leader or movement arrow, and is nearer its own symbol than any
other unit's; else it is left out. Painted like the names (desktop.gui.map.layers.unit_names).
"""
from __future__ import annotations

import numpy as np

from desktop.core.map_settings import MapSettings
from desktop.core.unit_amplifiers import altitude_at, altitude_texts, higher_formation_texts
from desktop.gui.map.layers.labels import gaps
from desktop.gui.map.layers.unit_names import GAP_PX, by_priority, name_size

TEXT_AMPLIFIERS = ("higher_formation", "altitude")   # keys of desktop.core.sidc.AMPLIFIERS
LABEL_RANK = 50      # after every other layer's labels (the last, the aircraft callsigns: 45)


def amplifier_texts(units, idx: np.ndarray) -> np.ndarray:
    """Per unit of `idx`, the text amplifier shown ("" for none): M for land units, X for
    aircraft, as `units.detail.amplifiers` asks."""
    detail, doc = units.detail, units.document
    texts = np.full(len(idx), "", dtype=object)
    air = detail.is_air(idx)
    if "higher_formation" in detail.amplifiers and (~air).any():
        texts[~air] = higher_formation_texts(doc, idx[~air])
    if "altitude" in detail.amplifiers and air.any():
        texts[air] = altitude_texts(altitude_at(doc, idx[air])[0])
    return texts


def layout_text_amplifiers(units, settings: MapSettings, registry) -> None:
    """Lay out the text amplifiers of the unit layer `units`' symbols in view (see the module)."""
    detail = units.detail
    idx = detail.shown_in(settings)
    if not len(idx) or not detail.wants(idx) or not detail.amplifiers & set(TEXT_AMPLIFIERS):
        detail.texts.set_labels(np.empty(0), np.empty(0), np.empty((0, 4)), [], np.empty((0, 4)))
        return
    idx, _ = by_priority(units, idx)
    texts = amplifier_texts(units, idx)
    idx, texts = idx[texts != ""], texts[texts != ""].tolist()
    sx, sy = registry.to_screen(units.x[idx], units.y[idx])
    at = np.column_stack([sx, sy, sx, sy])
    reach, frames = units.symbol_reach(idx) + at, detail.symbol_boxes(idx) + at
    kept, boxes = [], []
    for k, text in enumerate(texts):
        w, h = name_size(text)
        box = np.array([[reach[k, 2] + GAP_PX, sy[k] + h / 2, reach[k, 2] + GAP_PX + w, sy[k] + 1.5 * h]])
        if not registry.free(box)[0]:
            continue
        others = registry.frames[registry.symbol_units != idx[k]]
        if len(others) and gaps(box, others).min() <= gaps(box, frames[k])[0, 0]:
            continue  # as near another unit's symbol as its own: it would mislead
        registry.reserve(box)
        kept.append(k)
        boxes.append(box[0] - at[k])
    shown = idx[kept]
    detail.texts.set_labels(units.x[shown], units.y[shown], np.reshape(boxes, (-1, 4)), [texts[k] for k in kept],
                            np.full((len(kept), 4), np.nan), shown)
