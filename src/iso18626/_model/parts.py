"""The building blocks of ISO 18626 messages (agency ids, costs, addresses, bibliographic data, ...).

Superset of v1.2 and 2021: fields carry the 2021 element names; the writer maps them back for v1.2.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from iso18626._model.codes import (
    PreferredEdition,
    RequestSubType,
    RequestType,
    SchemeValue,
    ServiceType,
    YesNo,
)

# Every complex part ends with `extras`: unknown child elements a lenient parse kept verbatim (XML text),
# re-emitted only on request (serialize(..., extras="emit")) because they make the output invalid.
Extras = tuple[str, ...]


@attrs.frozen(kw_only=True)
class AgencyId:
    """type_agencyId: an agency identified within a scheme (e.g. ISIL, OCLC)."""

    agency_id_type: SchemeValue
    agency_id_value: str
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class Costs:
    """type_costs: an amount in a currency (ISO 4217 code as an open code)."""

    currency_code: SchemeValue
    monetary_value: Decimal
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class RequestingAgencyAuthentication:
    """requestingAgencyAuthentication: account and security code."""

    account_id: str | None = None
    security_code: str | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class ElectronicAddress:
    """electronicAddress: e-mail, URL, ... as typed by an open code."""

    electronic_address_type: SchemeValue
    electronic_address_data: str
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class PhysicalAddress:
    """physicalAddress. `region` is an open code in v1.2 and plain text in 2021 (a scheme cannot go to 2021)."""

    line1: str | None = None
    line2: str | None = None
    locality: str | None = None
    postal_code: str | None = None
    region: SchemeValue | None = None
    country: SchemeValue | None = None
    extras: Extras = ()


#: The `address` element is a choice of one of the two address kinds.
Address = ElectronicAddress | PhysicalAddress


@attrs.frozen(kw_only=True)
class BibliographicItemId:
    """bibliographicItemId (ISBN, ISSN, ...). v1.2 writes identifier then code; 2021 code then identifier."""

    bibliographic_item_identifier: str
    bibliographic_item_identifier_code: SchemeValue
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class BibliographicRecordId:
    """bibliographicRecordId (a catalogue record number such as an OCLC number)."""

    bibliographic_record_identifier_code: SchemeValue
    bibliographic_record_identifier: str
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class BibliographicInfo:
    """bibliographicInfo. `author_id` is 2021 only; v1.2 allows at most one `volume`."""

    supplier_unique_record_id: str | None = None
    title: str | None = None
    author: str | None = None
    author_id: str | None = None
    subtitle: str | None = None
    series_title: str | None = None
    edition: str | None = None
    title_of_component: str | None = None
    author_of_component: str | None = None
    volume: tuple[str, ...] = ()
    issue: str | None = None
    pages_requested: str | None = None
    estimated_no_pages: str | None = None
    bibliographic_item_id: tuple[BibliographicItemId, ...] = ()
    sponsor: str | None = None
    information_source: str | None = None
    bibliographic_record_id: tuple[BibliographicRecordId, ...] = ()
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class PublicationInfo:
    """publicationInfo. `publisher_id` (ISNI) is 2021 only."""

    publisher: str | None = None
    publisher_id: str | None = None
    publication_type: SchemeValue | None = None
    publication_date: str | None = None
    place_of_publication: str | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class ServiceInfo:
    """serviceInfo. `item_format` is v1.2's preferredFormat; preferred_edition and loan_condition are 2021 only."""

    request_type: RequestType | None = None
    request_sub_type: tuple[RequestSubType, ...] = ()
    requesting_agency_previous_request_id: str | None = None
    service_type: ServiceType
    service_level: SchemeValue | None = None
    item_format: SchemeValue | None = None
    need_before_date: datetime | None = None
    copyright_compliance: SchemeValue | None = None
    any_edition: YesNo | None = None
    preferred_edition: PreferredEdition | None = None
    loan_condition: tuple[SchemeValue, ...] = ()
    start_date: datetime | None = None
    end_date: datetime | None = None
    note: str | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class SupplierInfo:
    """supplierInfo: a suggested supplier (2021 requires sort_order >= 0)."""

    sort_order: int | None = None
    supplier_code: AgencyId | None = None
    supplier_description: str | None = None
    bibliographic_record_id: BibliographicRecordId | None = None
    call_number: str | None = None
    summary_holdings: str | None = None
    availability_note: str | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class RequestedDeliveryInfo:
    """requestedDeliveryInfo. delivery_method and courier_name are 2021 only."""

    sort_order: int | None = None
    address: Address | None = None
    delivery_method: SchemeValue | None = None
    courier_name: SchemeValue | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class RequestingAgencyInfo:
    """requestingAgencyInfo."""

    name: str | None = None
    contact_name: str | None = None
    address: tuple[Address, ...] = ()
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class PatronInfo:
    """patronInfo."""

    patron_id: str | None = None
    surname: str | None = None
    given_name: str | None = None
    patron_type: SchemeValue | None = None
    send_to_patron: YesNo | None = None
    address: tuple[Address, ...] = ()
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class BillingInfo:
    """billingInfo."""

    payment_method: SchemeValue | None = None
    maximum_costs: Costs | None = None
    billing_method: SchemeValue | None = None
    billing_name: str | None = None
    address: Address | None = None
    extras: Extras = ()
