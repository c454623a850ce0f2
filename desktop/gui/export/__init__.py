"""Briefing-map export (File › Export Map…, `deconflict export`).

`settings` is pure data (no Qt); `render` draws a page with Qt, headless; `dialog` is the
GUI. The dialog and the CLI call the same `render.export_map` with the same settings.
"""
