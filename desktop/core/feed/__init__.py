"""The live picture from TAK networks, without any I/O: Cursor-on-Target events in and out.

- `cot`: one CoT event (XML through defusedxml, or a TAK protocol v1 message) as a
  `CotEvent`, with its affiliation, domain and 2525 symbol code read from the type;
- `protocol`: TAK protocol v1 framing (mesh datagrams, stream frames) and the stream
  version negotiation TAK servers use, as a sans-I/O state machine;
- `intake`: received payloads -> accepted events, counting and logging what is refused;
- `endpoints`: where the feed listens or connects, with the safety defaults;
- `live`: live units and their reports, by uid, as columns; written into a Document on demand;
- `geometry`, `latches`, `alerts`: the alert engine (buffer, crossing, wrong side, time to line);
- `publish`: the line and sectors as CoT drawings and a TAK data package.

The sockets and threads live in `desktop.transport`; the Qt views come later and only
observe what these modules hold.
"""
