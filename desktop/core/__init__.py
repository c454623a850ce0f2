"""The pure core: geometry, sectors, units, the document and its commands. No Qt here."""
