"""IPIG-profile peers (OCLC ILL, VDX and other IPIG implementations): APDU-Delivery-Info mandatory in every APDU
with lists of at most 25 elements; OCLC adds its ILL-Request extensions (13.2, later IPIG 13.9) and local OIDs.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from illcore.profiles import Violation
from isoill._model import apdus as A
from isoill.extensions import IPIGILLRequestExtension, OCLCILLRequestExtension
from isoill.extensions.oclc import REQUEST_EXTENSION_OID
from isoill.profiles._profile import Profile, asn1_path

E13_3 = ("ASMA Clarification E13.3 (collectionscanada.gc.ca/iso/ill/regi13-3.html): 'mandatory in all APDUs "
         "conforming to the IPIG Profile'; lists of at most twenty-five elements")
OCLC_EXT = ("ASMA register regi13-2 (OCLC-ILL-Request-Extension 1.0.10161.13.2, superseded by 1.0.10161.13.9); "
            "YAZ commit log 2007: OCLC's ISO server required it")
OCLC_PAGE = "OCLC, ISO ILL (oclc.org/fr-CA/iso-ill.html): OCLC ILL 'supports the IPIG profile'"


def oclc_request_extension(apdu: A.APDU) -> Iterable[Violation]:
    """OCLC's ILL server wants its request extension (13.2, or the IPIG 13.9 that superseded it) on ILL-Request."""
    if isinstance(apdu, A.ILLRequest) and apdu.extension(OCLCILLRequestExtension) is None \
            and apdu.extension(IPIGILLRequestExtension) is None:
        yield Violation(asn1_path(apdu, "ill_request_extensions"),
                        "OCLC-ILL-Request-Extension (1.0.10161.13.2) or IPIG-ILL-Request-Extension "
                        "(1.0.10161.13.9) is required by OCLC's ILL server", OCLC_EXT)


RULE_SOURCES = {"oclc_request_extension": OCLC_EXT}

IPIG = Profile(
    name="ipig",
    title="an IPIG-profile peer",
    delivery_info=True,
    max_list=25,
    port=1611,
    sources={"delivery_info": E13_3, "max_list": E13_3},
)

# yaz-illclient's OCLC mode sends an empty 13.2 (research notes iso10161.md 2.4): all its fields are optional.
OCLC = attrs.evolve(IPIG, name="oclc", title="OCLC ILL", rules=(oclc_request_extension,),
                    request_extensions=((REQUEST_EXTENSION_OID, OCLCILLRequestExtension()),),
                    sources={**IPIG.sources, "ipig": OCLC_PAGE, "extensions": OCLC_EXT})
