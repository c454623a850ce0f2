"""Air deconfliction: airspace blocks (ACMs), aircraft state, the motion model, predicted
conflicts and the hotline notification drafted from them. Pure core: no Qt.

- `measures`: feet, flight levels, nautical miles, knots.
- `acm`: ACMs (polygon, circle, corridor; floor, ceiling, active periods) and `Airspace`.
- `acm_io`: ACMs from GeoJSON and KML, to GeoJSON and KML (extruded volumes).
- `commands`: undoable add / edit / delete of ACMs.
- `state`: `AircraftState`, the columns of aircraft at a time T (from tracks or a table).
- `motion`: the motion model, stated once.
- `conflicts`: aircraft–aircraft, aircraft–airspace and aircraft–line conflicts.
- `notification`: the hotline notification drafted from an ACM, a conflict or aircraft.
"""
