"""Air deconfliction in the window (issue 12): the map layers, the airspace tools and
properties dialog, the conflicts panel, the side view and the notification dialog, all
built on the pure core (desktop.core.air) and contributed as plugins.

- `session`: the conflicts at the time cursor's moment, shared by every air view.
- `layers`: ACMs, predicted paths, CPA markers, aircraft labels (`map_layer` plugin).
- `acm_tools`: draw (polygon, circle, corridor) and edit ACMs with the mouse (`tool`).
- `acm_dialog`: the ACM properties dialog.
- `conflicts_panel`: the conflicts dock (`panel`); `side_view`: altitude along a path.
- `notify_dialog`: the hotline notification drafted from an ACM, a conflict or aircraft.
"""
