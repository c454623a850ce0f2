"""The map as one scene of layers, after QGIS's map settings and renderer job.

- `layers`: what is drawn. Each layer subscribes to its own sources when attached and
  paints itself into any QPainter from a `MapSettings` (desktop.core.map_settings).
- `scene`: the display projection, the layers in drawing order and the label registry they
  share; paints them all, into a window or a page.
- `view`: the widget that hosts a scene on screen (mouse, keys, zoom, cursor).

Import order is enforced (import-linter): the view above the scene above the layers.
"""
