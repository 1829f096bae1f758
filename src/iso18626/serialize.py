"""Model -> bytes: the envelope around the generated per-version writer, and the final character check.

Writes `ill:`-prefixed UTF-8 with qualified ill:version/ill:scheme and UTC `Z` timestamps.
"""

from __future__ import annotations

import re
from typing import Literal

from . import tables as T
from .errors import SerializeError
from .messages import Message
from .writer import WRITERS

#: The ill:version value written for each target version.
VERSION_ATTRIBUTE = {"1.1": "1.1", "1.2": "1.2", "2021": "2021-2"}
# Checked on the UTF-8 bytes (a bytes regex is far faster than one over a wide str); surrogates fail encoding.
_INVALID_XML_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


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
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n' if xml_declaration else "",
           f'<ill:ISO18626Message xmlns:ill="{T.NS}" ill:version="{VERSION_ATTRIBUTE[version]}"><ill:{name}>']
    try:
        writers[name](msg, out.append, extras == "emit")
    except SerializeError as err:
        err.add_path(f"ISO18626Message/{name}", version)  # type: ignore[attr-defined]
        raise
    except AttributeError as err:
        raise SerializeError(f"a value has the wrong type ({err})", version=version) from None
    out.append(f"</ill:{name}></ill:ISO18626Message>")
    try:
        data = "".join(out).encode("utf-8")
    except UnicodeEncodeError as err:
        raise SerializeError(f"character U+{ord(err.object[err.start]):04X} cannot appear in XML",
                             version=version) from None
    bad = _INVALID_XML_BYTES.search(data)
    if bad is not None:
        char = bad.group().decode("utf-8")
        raise SerializeError(f"character U+{ord(char):04X} cannot appear in XML", version=version)
    return data
