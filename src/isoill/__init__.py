"""isoill: ISO 10160/10161 (ISO ILL) interlibrary loan for Python.

`isoill.decode(data)` turns one BER-encoded APDU into a frozen attrs object, `isoill.encode(apdu)` writes it back.
"""

from isoill.apdus import (
    APDU,
    APDU_BY_TYPE,
    APDU_CLASSES,
    ILLAPDU,
    Cancel,
    CancelReply,
    CheckedIn,
    ConditionalReply,
    Damaged,
    Expired,
    ForwardNotification,
    ILLAnswer,
    ILLRequest,
    Lost,
    Message,
    Overdue,
    Recall,
    Received,
    Renew,
    RenewAnswer,
    Returned,
    Shipped,
    StatusOrErrorReport,
    StatusQuery,
)
from isoill.codec import Codec, decode, encode
from isoill.enums import *  # noqa: F403 - the enumerations are part of the public model
from isoill.errors import DecodeError, EncodeError, ILLError, StructureError
from isoill.machine import Direction, Event, ProtocolError, Role, Transaction
from isoill.types import *  # noqa: F403 - the supporting types are part of the public model
from isoill.values import Arbitrary, EDIFACTString, External, OctetAligned, RawBER, SingleASN1Type

__version__ = "0.1.0"

__all__ = [
    "APDU", "APDU_BY_TYPE", "APDU_CLASSES", "ILLAPDU", "Arbitrary", "Cancel", "CancelReply", "CheckedIn", "Codec",
    "ConditionalReply", "Damaged", "DecodeError", "EDIFACTString", "EncodeError", "Expired", "External",
    "ForwardNotification", "ILLAnswer", "ILLError", "ILLRequest", "Lost", "Message", "OctetAligned", "Overdue",
    "RawBER", "Received", "Recall", "Renew", "RenewAnswer", "Returned", "Shipped", "SingleASN1Type",
    "StatusOrErrorReport", "StatusQuery", "StructureError", "decode", "encode",
    # the protocol machine (isoill.machine)
    "Direction", "Event", "ProtocolError", "Role", "Transaction",
]

# Every enumeration and supporting type (star-imported above) is public too.
from isoill import enums as _enums  # noqa: E402
from isoill import types as _types  # noqa: E402

__all__ += sorted(
    name for module in (_enums, _types) for name, value in vars(module).items()
    if isinstance(value, type) and value.__module__ == module.__name__
)
from isoill.enums import VERSION_1, VERSION_2  # noqa: E402

__all__ += ["VERSION_1", "VERSION_2"]
