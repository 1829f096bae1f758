"""ILL-APDU-Delivery-Info (1.0.10161.13.3): who sends and who receives an APDU, and how to reach them.

IPIG makes it mandatory in every APDU; a responder learns the requester's host:port for replies from it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TypeVar

import attrs
from attrs import field, frozen

from isoill._model.apdus import APDU
from isoill._model.types import Extension, SystemAddress, SystemId
from isoill._model.values import External
from isoill.schema import Enumerated, Sequence, SequenceOf, opt, req

_A = TypeVar("_A", bound=APDU)

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


# --- building it from host:port, and routing replies by it ------------------------------------------------------

TCP_IP = "TCP/IP"  # telecom-service-identifier of a TCP listener (ASMA Clarification 02's worked example)


def parameters(host_port: str, *, aliases: tuple[SystemId, ...] | None = None) -> APDUDeliveryParameters:
    """One agency reached by BER over TCP at `host_port` ("host:port")."""
    return APDUDeliveryParameters(encoding=(APDUEncoding.BER,),
                                  transport=SystemAddress(telecom_service_identifier=TCP_IP,
                                                          telecom_service_address=host_port),
                                  aliases=aliases)


def delivery_info(sender: str, recipient: str, *, sender_aliases: tuple[SystemId, ...] | None = None,
                  recipient_aliases: tuple[SystemId, ...] | None = None) -> APDUDeliveryInfo:
    """APDU-Delivery-Info for an APDU sent from the listener at `sender` to the one at `recipient` (host:port)."""
    return APDUDeliveryInfo(sender_info=(parameters(sender, aliases=sender_aliases),),
                            recipient_info=(parameters(recipient, aliases=recipient_aliases),))


def split_host_port(text: str) -> tuple[str, int] | None:
    """("host", port) of "host:port" (an IPv6 host in brackets), or None when `text` is not one."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host.strip("[]"), int(port)


def reply_address(info: APDUDeliveryInfo) -> tuple[str, int] | None:
    """Where replies to an APDU carrying `info` go: the first TCP/IP transport of its sender-info (E13.3:
    the sender lists itself, each way it can be reached, in its order of preference); None if there is none."""
    for entry in info.sender_info:
        transport = entry.transport
        service = str(transport.telecom_service_identifier or TCP_IP).upper()
        if service.replace(" ", "") not in ("TCP/IP", "TCP", "TCPIP"):
            continue
        if APDUEncoding.BER not in entry.encoding:
            continue
        found = split_host_port(str(transport.telecom_service_address or ""))
        if found is not None:
            return found
    return None


def with_delivery_info(apdu: _A, info: APDUDeliveryInfo) -> _A:
    """`apdu` carrying `info` as its APDU-Delivery-Info extension (replacing one it already carries)."""
    kept = tuple(ext for ext in apdu.extensions
                 if not (isinstance(ext.item, External) and ext.item.direct_reference == OID))
    added = Extension(identifier=1, critical=False, item=External.of(OID, info))
    changes: dict[str, object] = {apdu.EXTENSIONS_FIELD: (*kept, added)}
    return attrs.evolve(apdu, **changes)  # type: ignore[arg-type]
