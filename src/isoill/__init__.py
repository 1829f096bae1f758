"""isoill: ISO 10160/10161 (ISO ILL) interlibrary loan for Python.

`isoill.decode(data)` turns one BER-encoded APDU into a frozen attrs object, `isoill.encode(apdu)` writes it back.
`isoill.Transaction` checks a transaction against the protocol machine; `isoill.Session` is the sans-IO connection
(octets in, APDUs + automatic replies out). Public modules beside this one: `isoill.net` (asyncio TCP),
`isoill.stream` (the framer), `isoill.convert` / `isoill.render` / `isoill.constraints` (tools),
`isoill.extensions` (registered EXTERNALs), `isoill.schema` (the ASN.1 description DSL, for extensions) and
`isoill.reference` / `isoill.asn1spec` (the pyasn1 reference codec). Everything under `isoill._*` is internal.
"""

from isoill._ber.codec import Codec, decode, encode
from isoill._model.apdus import (
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
from isoill._model.enums import (
    VERSION_1,
    VERSION_2,
    Conditions,
    CurrentState,
    ExpiryFlag,
    GeneralProblem,
    ILLAPDUType,
    ILLServiceType,
    IntermediaryProblem,
    ItemType,
    MediumType,
    MessageRequirement,
    MostRecentService,
    PlaceOnHoldType,
    Preference,
    ReasonLocsProvided,
    ReasonNoReport,
    ReasonNotAvailable,
    ReasonUnfilled,
    ReasonWillSupply,
    ReportSource,
    ShippedConditions,
    SupplyMediumType,
    TransactionIdProblem,
    TransactionResults,
    TransactionType,
    UnableToPerform,
)
from isoill._model.types import (  # the CHOICEs that are unions of the classes above
    AlreadyForwarded,
    Amount,
    ClientId,
    CompleteDocument,
    ConditionalResults,
    CostInfoType,
    DamagedDetails,
    DamagedPortion,
    DateDue,
    DateTime,
    DeliveryAddress,
    DeliveryService,
    DocumentType,
    EDeliveryDetails,
    EDeliveryService,
    ElectronicDelivery,
    ElectronicDeliveryService,
    ErrorReport,
    EstimateResults,
    Extension,
    HistoryReport,
    HoldPlacedResults,
    InstitutionSymbol,
    ItemId,
    LocationInfo,
    LocationsResults,
    NameOfInstitution,
    NameOfPerson,
    NameOfPersonOrInstitution,
    PersonOrInstitutionSymbol,
    PersonSymbol,
    PhysicalDelivery,
    PostalAddress,
    ProviderErrorReport,
    RequesterOptionalMessagesType,
    ResponderOptionalMessagesType,
    ResultsExplanation,
    RetryResults,
    SearchType,
    SecurityProblem,
    SendToListEntry,
    ServiceDateTime,
    ShippedVia,
    SpecificUnits,
    StateTransitionProhibited,
    StatusReport,
    SupplyDetails,
    SupplyMediumInfoType,
    SystemAddress,
    SystemId,
    ThirdPartyInfoType,
    TransactionId,
    UnfilledResults,
    UnitsPerMediumType,
    UserErrorReport,
    WillSupplyResults,
)
from isoill._model.values import (
    Arbitrary,
    EDIFACTString,
    External,
    ILLString,
    OctetAligned,
    RawBER,
    SingleASN1Type,
)
from isoill._protocol.ids import TransactionKey, transaction_key
from isoill._protocol.machine import Direction, Event, Role, Transaction
from isoill._protocol.reports import error_reply, general_problem, unknown_transaction_reply
from isoill._protocol.reports import reply as reply_to
from isoill._protocol.session import Arrival, AutoReply, Session, SessionEvent, status_reply
from isoill._protocol.store import MemoryStore, TransactionLike, TransactionStore
from isoill.errors import DecodeError, EncodeError, ILLError, ProtocolError, StructureError

__version__ = "0.1.0"

__all__ = [
    # the codec and its errors
    "Codec", "DecodeError", "EncodeError", "ILLError", "StructureError", "decode", "encode",
    # the APDUs
    "APDU", "APDU_BY_TYPE", "APDU_CLASSES", "ILLAPDU", "Cancel", "CancelReply", "CheckedIn", "ConditionalReply",
    "Damaged", "Expired", "ForwardNotification", "ILLAnswer", "ILLRequest", "Lost", "Message", "Overdue",
    "Recall", "Received", "Renew", "RenewAnswer", "Returned", "Shipped", "StatusOrErrorReport", "StatusQuery",
    # values
    "Arbitrary", "EDIFACTString", "External", "OctetAligned", "RawBER", "SingleASN1Type",
    # the enumerations
    "Conditions", "CurrentState", "ExpiryFlag", "GeneralProblem", "ILLAPDUType", "ILLServiceType",
    "IntermediaryProblem", "ItemType", "MediumType", "MessageRequirement", "MostRecentService",
    "PlaceOnHoldType", "Preference", "ReasonLocsProvided", "ReasonNoReport", "ReasonNotAvailable",
    "ReasonUnfilled", "ReasonWillSupply", "ReportSource", "ShippedConditions", "SupplyMediumType",
    "TransactionIdProblem", "TransactionResults", "TransactionType", "UnableToPerform", "VERSION_1", "VERSION_2",
    # the supporting types
    "AlreadyForwarded", "Amount", "ClientId", "CompleteDocument", "ConditionalResults", "CostInfoType",
    "DamagedDetails", "DateDue", "DateTime", "DeliveryAddress", "DocumentType", "EDeliveryService",
    "ElectronicDelivery", "ElectronicDeliveryService", "ErrorReport", "EstimateResults", "Extension",
    "HistoryReport", "HoldPlacedResults", "InstitutionSymbol", "ItemId", "LocationInfo", "LocationsResults",
    "NameOfInstitution", "NameOfPerson", "PersonSymbol", "PhysicalDelivery", "PostalAddress",
    "RequesterOptionalMessagesType", "ResponderOptionalMessagesType", "RetryResults", "SearchType",
    "SecurityProblem", "SendToListEntry", "ServiceDateTime", "SpecificUnits", "StateTransitionProhibited",
    "StatusReport", "SupplyDetails", "SupplyMediumInfoType", "SystemAddress", "SystemId", "ThirdPartyInfoType",
    "TransactionId", "UnfilledResults", "UnitsPerMediumType", "WillSupplyResults",
    # the CHOICEs written as unions, and ILL-String (str | EDIFACTString)
    "DamagedPortion", "DeliveryService", "EDeliveryDetails", "ILLString", "NameOfPersonOrInstitution",
    "PersonOrInstitutionSymbol", "ProviderErrorReport", "ResultsExplanation", "ShippedVia", "UserErrorReport",
    # the protocol machine
    "Direction", "Event", "ProtocolError", "Role", "Transaction",
    # the sans-IO session, its store interface and the report builders it answers with
    "Arrival", "AutoReply", "MemoryStore", "Session", "SessionEvent", "TransactionKey", "TransactionLike",
    "TransactionStore", "error_reply", "general_problem", "reply_to", "status_reply", "transaction_key",
    "unknown_transaction_reply",
]
