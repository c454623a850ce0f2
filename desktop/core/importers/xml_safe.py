"""Hardened XML parsing for KML and GPX: no DTDs, so no entity expansion (the "billion
laughs" bomb) and no external entities (file or network reads), via defusedxml; errors
become InputError naming the file and the line."""
from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from desktop.core.inputs import InputError


def parse_xml(name: str, data: bytes) -> Element:
    if not data.strip():
        raise InputError(f"{name}: empty file")
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise InputError(f"{name}: refused: the file declares a DTD (it could hold an XML bomb or read other "
                         "files); KML and GPX need none") from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise InputError(f"{name}: refused: the file declares XML entities (an XML bomb or an external "
                         "reference); KML and GPX need none") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        reason = str(exc).split(":")[0]
        raise InputError(f"{name}:{line}: not well-formed XML ({reason}, column {column + 1}); is the file "
                         "truncated or in another encoding than it declares?") from None
    except RecursionError:
        raise InputError(f"{name}: not usable XML (nested too deeply)") from None
    except (LookupError, ValueError) as exc:  # e.g. <?xml encoding="U-TF-8"?>: an unknown encoding
        raise InputError(f"{name}: not usable XML ({exc})") from None


def local(tag: object) -> str:
    """A tag without its namespace: '{http://www.opengis.net/kml/2.2}Placemark' -> 'Placemark'."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child(elem: Element, name: str) -> Element | None:
    return next((c for c in elem if local(c.tag) == name), None)


def children(elem: Element, name: str) -> list[Element]:
    return [c for c in elem if local(c.tag) == name]


def text_of(elem: Element | None, name: str | None = None) -> str:
    if elem is not None and name is not None:
        elem = child(elem, name)
    return (elem.text or "").strip() if elem is not None else ""
