"""ILL-APDU-Delivery-Info (1.0.10161.13.3): who sends and who receives an APDU, and how to reach them.

IPIG makes it mandatory in every APDU; a responder learns the requester's host:port for replies from it.
"""

from __future__ import annotations

from enum import IntEnum

from attrs import field, frozen

from isoill._model.types import SystemAddress, SystemId
from isoill.schema import Enumerated, Sequence, SequenceOf, opt, req

OID = "1.0.10161.13.3"


class APDUEncoding(IntEnum):
    EDIFACT = 1
    BER_IN_MIME = 2
    BER = 3


@frozen(kw_only=True)
class APDUDeliveryParameters:
    encoding: tuple[APDUEncoding, ...] = field(
        metadata=req("encoding", 0, SequenceOf(Enumerated(APDUEncoding)), implicit=True))
    transport: SystemAddress = field(metadata=req("transport", 1, Sequence(SystemAddress), implicit=True))
    aliases: tuple[SystemId, ...] | None = field(
        default=None, metadata=opt("aliases", 2, SequenceOf(Sequence(SystemId)), implicit=True))


_PARAMETERS = SequenceOf(Sequence(APDUDeliveryParameters))


@frozen(kw_only=True)
class APDUDeliveryInfo:
    sender_info: tuple[APDUDeliveryParameters, ...] = field(metadata=req("sender-info", 0, _PARAMETERS,
                                                                          implicit=True))
    recipient_info: tuple[APDUDeliveryParameters, ...] = field(metadata=req("recipient-info", 1, _PARAMETERS,
                                                                             implicit=True))
    transponder_info: tuple[APDUDeliveryParameters, ...] | None = field(
        default=None, metadata=opt("transponder-info", 2, _PARAMETERS, implicit=True))
