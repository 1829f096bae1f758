"""Model -> bytes: the envelope around the generated per-version writer, and the final character check.

Writes `ill:`-prefixed UTF-8 with qualified ill:version/ill:scheme and UTC `Z` timestamps.
"""

from __future__ import annotations

import re
from typing import Literal

from iso18626._model import tables as T
from iso18626._model.messages import Message
from iso18626._xml.writer import WRITERS
from iso18626.errors import SerializeError

#: The ill:version value written for each target version.
VERSION_ATTRIBUTE = {"1.1": "1.1", "1.2": "1.2", "2021": "2021-2"}
# Only scanned when str.isprintable (C speed) says the text holds something unusual: a regex scan of a whole
# document costs more than writing it.
_INVALID_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def serialize(msg: Message, *, version: str = "1.2", extras: Literal["drop", "emit"] = "drop",
              xml_declaration: bool = True) -> bytes:
    """Write `msg` as an ISO 18626 document of `version` ("1.2", "2021"; "1.1" too).

    Raises SerializeError (a ValueError) when the message holds something the version cannot express.
    `extras="emit"` re-emits unknown elements a lenient parse kept (the output is then not schema-valid).
    """
    writers = WRITERS.get(version)
    if writers is None:
        raise SerializeError(f"unknown ISO 18626 version {version!r}; use one of {', '.join(T.VERSIONS)}")
    name = T.ELEMENT_OF.get(type(msg))
    if name is None:
        raise TypeError(f"not an ISO 18626 message: {type(msg).__name__}")
    out = [f'<ill:ISO18626Message xmlns:ill="{T.NS}" ill:version="{VERSION_ATTRIBUTE[version]}"><ill:{name}>']
    try:
        writers[name](msg, out.append, extras == "emit")
    except SerializeError as err:
        err.add_path(f"ISO18626Message/{name}", version)  # type: ignore[attr-defined]
        raise
    except AttributeError as err:
        raise SerializeError(f"a value has the wrong type ({err})", version=version) from None
    out.append(f"</ill:{name}></ill:ISO18626Message>")
    text = "".join(out)
    if not text.isprintable():
        bad = _INVALID_XML_CHAR.search(text)
        if bad is not None:
            raise SerializeError(f"character U+{ord(bad.group()):04X} cannot appear in XML", version=version)
    data = text.encode("utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + data if xml_declaration else data
