"""Registered ISO 10161 extensions (carried as EXTERNALs) and the registry that maps their OIDs to types.

Importing this package registers the built-in ones; `register()` adds an application's own.
"""

from isoill._model.types import UnfilledResults
from isoill.extensions import delivery_info, ipig, oclc, references
from isoill.extensions._registry import ExtensionType, entries, lookup, register
from isoill.extensions.delivery_info import APDUDeliveryInfo, APDUDeliveryParameters, APDUEncoding
from isoill.extensions.ipig import IPIGILLRequestExtension
from isoill.extensions.oclc import (
    OCLCILLRequestExtension,
    OCLCILLService,
    OCLCPrismIllError,
    OCLCShippedExtension,
    OCLCSpecificResults,
)
from isoill.extensions.references import AdditionalUserErrorReportInfo, InternalReference, SuppliersReference

register(delivery_info.OID, "APDU-Delivery-Info", APDUDeliveryInfo)
register(oclc.REQUEST_EXTENSION_OID, "OCLCILLRequestExtension", OCLCILLRequestExtension)
register(ipig.OID, "IPIG-ILL-Request-Extension", IPIGILLRequestExtension, ipig.IPIG_REQUEST, wrap=True)
register(oclc.PRISM_ERROR_OID, "OCLC-Prism-ILL-Error", OCLCPrismIllError, oclc.PRISM_ERROR, wrap=True)
register(oclc.SERVICE_OID, "OCLCILLService", OCLCILLService)
register(oclc.SPECIFIC_RESULTS_OID, "OCLCSpecificResults", OCLCSpecificResults)
register(oclc.SHIPPED_EXTENSION_OID, "OCLC-Shipped-Extension", OCLCShippedExtension)
register(references.INTERNAL_REFERENCE_OID, "Internal-Reference-Number", InternalReference)
register(references.SUPPLIERS_REFERENCE_OID, "Suppliers-Reference", SuppliersReference)
register(references.FORWARDED_ADDITIONAL_INFO_OID, "Forwarded-Additional-Info", UnfilledResults)
register(references.ADDITIONAL_USER_ERROR_OID, "IPIG-Additional-User-Error-Information",
         AdditionalUserErrorReportInfo, references.ADDITIONAL_USER_ERROR, wrap=True)

__all__ = [
    "APDUDeliveryInfo", "APDUDeliveryParameters", "APDUEncoding", "AdditionalUserErrorReportInfo", "ExtensionType",
    "IPIGILLRequestExtension", "InternalReference", "OCLCILLRequestExtension", "OCLCILLService",
    "OCLCPrismIllError", "OCLCShippedExtension", "OCLCSpecificResults", "SuppliersReference", "entries", "lookup",
    "register",
]
