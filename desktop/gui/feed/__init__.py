"""The live picture from TAK networks in the window (issue 11's GUI).

- `controller`: the window's live feed (one per window, in the context's services): on and
  off, reports into the document, status, crash journal records, Send to TAK.
- `settings` and `dialog`: where the feed listens and connects, remembered between sessions.
- `menu`: the Feed menu, its status-bar part and File › Export Data › TAK data package.
- `live_layer`: the live units on the map (a map layer plugin): stale ones greyed, course
  and time to the line.
- `alerts_panel` (with `alerts_model`, `notices`): the alert list, notices, sound, mute.
"""
