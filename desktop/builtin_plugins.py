"""The built-in plugins. They use exactly the API a third party would (desktop.core.plugins);
pyproject.toml publishes them as entry points and BUILTIN_PLUGINS keeps them reachable in a
frozen executable that lost its metadata."""
from desktop.core.plugins import Contribution, Plugin

SECTORS_PANEL = Plugin(
    name="sectors_panel",
    description="Sectors side panel: units per sector, distances, near-line and wrong-side flags",
    contributions=(Contribution("panel", "sectors", "Sectors", "desktop.gui.sectors_panel:SectorsPanel",
                                {"area": "right"}),),
)
LINE_EDIT_TOOL = Plugin(
    name="line_edit_tool",
    description="Edit the deconfliction line by mouse",
    contributions=(Contribution("tool", "line_edit", "Edit line", "desktop.gui.line_tool:LineEditTool",
                                {"shortcut": "E"}),),
)
MARKUP_TOOLS = Plugin(
    name="markup_tools",
    description="Map markup: text labels, arrows, freehand, areas, range rings, measurements",
    contributions=tuple(
        Contribution("tool", f"markup_{key}", title, f"desktop.gui.markup_tools:{cls}", {"shortcut": shortcut})
        for key, title, cls, shortcut in (
            ("select", "Select markup", "SelectMarkupTool", "M"), ("text", "Text", "TextTool", "T"),
            ("arrow", "Arrow", "ArrowTool", "A"), ("freehand", "Freehand", "FreehandTool", "F"),
            ("polygon", "Area", "PolygonTool", "P"), ("circle", "Range ring", "CircleTool", "R"),
            ("measure", "Measure", "MeasureTool", "D"))),
)
LAYERS_PANEL = Plugin(
    name="layers_panel",
    description="Layers panel: every map layer with a legend swatch, visibility, opacity; drag to reorder",
    contributions=(Contribution("panel", "layers", "Layers", "desktop.gui.layers_panel:LayersPanel",
                                {"area": "right", "tabify": "sectors"}),),
)
UNDO_HISTORY = Plugin(
    name="undo_history",
    description="Undo history panel",
    contributions=(Contribution("panel", "undo_history", "History", "desktop.gui.history_panel:HistoryPanel",
                                {"area": "right", "tabify": "sectors"}),),
)
TIMELINE_PANEL = Plugin(
    name="timeline_panel",
    description="Hotline timeline: calls, line revisions and the time cursor shared by the map and panels",
    contributions=(Contribution("panel", "timeline", "Hotline", "desktop.gui.timeline.panel:TimelinePanel",
                                {"area": "bottom"}),
                   Contribution("map_layer", "time", "Revision ghosts, trails, stale units, selected call",
                                "desktop.gui.timeline.map_layer:time_layers")),
)
MAP_LAYERS = Plugin(
    name="map_layers",
    description="The map's built-in layers: basemap, basemap files, graticule, MGRS grid, sectors, buffer, AO, line, units, places, markup",
    contributions=tuple(Contribution("map_layer", key, title, f"desktop.gui.map.layers.{target}") for key, title, target in (
        ("basemap", "Basemap (land and water, rivers, borders, towns)", "basemap:basemap_layers"),
        ("basemap_files", "Basemap files (MBTiles, GeoPackage tiles) the project lists", "tiles:user_basemaps"),
        ("graticule", "Lat/lon graticule", "graticule:graticule_layer"),
        ("grid_mgrs", "MGRS grid", "grids:mgrs_grid_layer"),
        ("sectors", "Sectors, buffer band, AO, sector ids", "sectors:sector_layers"),
        ("line", "Deconfliction line", "line:line_layer"),
        ("line_symbol", "The line as a 2525 boundary (echelon, sides, effective DTG)", "line_symbol:line_symbol_layer"),
        ("units", "Units, unit density, unit labels", "unit_parts:unit_layers"),
        ("places", "Place labels", "places:places_layer"),
        ("markup", "Markup", "markup:markup_layer"))),
)

AIR_DECONFLICTION = Plugin(
    name="air_deconfliction",
    description="Air deconfliction: airspace blocks, predicted paths, closest approaches, conflicts panel, side view",
    contributions=(
        Contribution("map_layer", "air", "Airspace blocks, predicted paths, closest approaches, aircraft labels",
                     "desktop.gui.air.picture_layers:air_layers"),
        Contribution("panel", "conflicts", "Conflicts", "desktop.gui.air.conflicts_panel:ConflictsPanel",
                     {"area": "right", "tabify": "sectors"}),
        Contribution("panel", "side_view", "Side view", "desktop.gui.air.side_view:SideView", {"area": "bottom"}),
        *(Contribution("tool", f"acm_{key}", title, f"desktop.gui.air.acm_tools:{cls}", {"shortcut": shortcut})
          for key, title, cls, shortcut in (
              ("edit", "Edit airspace", "AcmEditTool", "B"), ("polygon", "Airspace polygon", "AcmPolygonTool", "Shift+P"),
              ("circle", "Airspace circle", "AcmCircleTool", "Shift+R"),
              ("corridor", "Airspace corridor", "AcmCorridorTool", "Shift+C"))),
    ),
)

CLI_COMMANDS = Plugin(
    name="cli_commands",
    description="The `deconflict` sub-commands: one module each under desktop/cli/commands",
    contributions=tuple(
        Contribution("cli_command", name, title, f"desktop.cli.commands.{module}:add_command")
        for name, title, module in (
            ("sectors", "Sectors report", "sectors"),
            ("calls", "Hotline calls", "calls"),
            ("diff", "Revision diff", "diff"),
            ("export", "Export map", "export"),
            ("new", "New project", "new"),
            ("export-data", "Export data", "export_data"),
            ("import", "Import", "import_files"),
            ("symbol", "Unit symbols", "symbol"),
            ("conflicts", "Air conflicts", "conflicts"),
            ("airspace", "Airspace (ACMs)", "airspace"),
            ("listen", "Listen to TAK", "listen"),
            ("publish", "Publish to TAK", "publish"),
        )),
)
FEEDS = Plugin(
    name="builtin_feeds",
    description="TAK networks: Cursor-on-Target over UDP (unicast, the multicast mesh) and TAK servers (TCP, TLS)",
    contributions=(Contribution("feed", "tak", "TAK (Cursor on Target)", "desktop.transport.runner:FeedRunner",
                                {"schemes": ["udp", "tcp", "tls"]}),),
)
LIVE_FEED = Plugin(
    name="live_feed",
    description="The live picture from TAK networks: live units on the map, the alert list and notices",
    contributions=(Contribution("panel", "alerts", "Alerts", "desktop.gui.feed.alerts_panel:AlertsPanel",
                                {"area": "right", "tabify": "sectors"}),
                   Contribution("map_layer", "live", "Live units: stale, course, time to line",
                                "desktop.gui.feed.live_layer:live_layers")),
)
IMPORTERS = Plugin(
    name="builtin_importers",
    description="Import AO, line, units and tracks from CSV, GeoJSON, KML/KMZ, GPX, Shapefile and GeoPackage",
    contributions=(
        Contribution("importer", "csv", "CSV table", "desktop.core.importers.csv_table:read_csv",
                     {"extensions": [".csv", ".tsv", ".txt"]}),
        Contribution("importer", "geojson", "GeoJSON", "desktop.core.importers.geojson:read_geojson",
                     {"extensions": [".geojson", ".json"]}),
        Contribution("importer", "kml", "KML (Google Earth)", "desktop.core.importers.kml:read_kml",
                     {"extensions": [".kml"]}),
        Contribution("importer", "kmz", "KMZ (Google Earth)", "desktop.core.importers.kml:read_kmz",
                     {"extensions": [".kmz"]}),
        Contribution("importer", "gpx", "GPX (GPS)", "desktop.core.importers.gpx:read_gpx", {"extensions": [".gpx"]}),
        Contribution("importer", "shapefile", "Shapefile", "desktop.core.importers.shapefile_import:read_shapefile",
                     {"extensions": [".shp"]}),
        Contribution("importer", "geopackage", "GeoPackage", "desktop.core.importers.geopackage_import:read_geopackage",
                     {"extensions": [".gpkg"]}),
    ),
)
BUILTIN_PLUGINS = (MAP_LAYERS, SECTORS_PANEL, LINE_EDIT_TOOL, MARKUP_TOOLS, UNDO_HISTORY, LAYERS_PANEL, CLI_COMMANDS,
                   TIMELINE_PANEL, IMPORTERS, FEEDS, LIVE_FEED, AIR_DECONFLICTION)
