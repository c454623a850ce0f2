"""Small files in every import format, as other tools write them."""
from __future__ import annotations

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>OPFOR</name>
  <Folder><name>Units</name>
    <Placemark id="pm1"><name>SAA-01</name>
      <ExtendedData><Data name="side"><value>Russian-backed</value></Data>
        <Data name="affiliation"><value>hostile</value></Data></ExtendedData>
      <Point><coordinates>38.45,35.62,0</coordinates></Point></Placemark>
    <Folder><name>Armour</name>
      <Placemark><name>SAA-02</name>
        <ExtendedData><SchemaData schemaUrl="#u"><SimpleData name="side">Russian-backed</SimpleData>
        </SchemaData></ExtendedData>
        <Point><coordinates> 38.9,35.3 </coordinates></Point></Placemark>
    </Folder>
  </Folder>
  <Placemark><name>AO</name>
    <MultiGeometry><Point><coordinates>39,35.5</coordinates></Point>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        38.0,35.0 40.5,35.0 40.5,36.4 38.0,36.4 38.0,35.0
      </coordinates></LinearRing></outerBoundaryIs></Polygon></MultiGeometry></Placemark>
  <Placemark><name>Deconfliction line</name>
    <LineString><tessellate>1</tessellate><coordinates>38.2,35.7 38.9,35.8 39.6,35.7 40.3,35.3</coordinates></LineString>
  </Placemark>
  <Placemark><name>AIR-09</name>
    <gx:Track><when>2017-06-18T14:00:00Z</when><when>2017-06-18T14:05:00Z</when><when>2017-06-18T14:10:00+03:00</when>
      <gx:coord>38.6 35.8 8000</gx:coord><gx:coord>38.7 35.85 8000</gx:coord><gx:coord>38.8 35.9 8000</gx:coord>
    </gx:Track></Placemark>
</Document></kml>
"""

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="handheld" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="35.95" lon="39.01"><name>RAQQA-OP</name></wpt>
  <trk><name>PATROL-7</name>
    <trkseg><trkpt lat="35.80" lon="38.60"><ele>300</ele><time>2017-06-18T06:00:00Z</time></trkpt>
            <trkpt lat="35.81" lon="38.62"><time>2017-06-18T06:10:00Z</time></trkpt></trkseg>
    <trkseg><trkpt lat="35.83" lon="38.65"><time>2017-06-18T07:00:00Z</time></trkpt></trkseg>
  </trk>
</gpx>
"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE kml [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&e;</name>
<Point><coordinates>38,35</coordinates></Point></Placemark></kml>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&secret;</name>
<Point><coordinates>38,35</coordinates></Point></Placemark></kml>
"""
