"""Data protection: a person's rights (see and erase their data), the privacy notice with its
opt-out, and retention. `Privacy` (services.privacy.service) is the use cases; the rules per
table are in `export`, `erase` and `retention`."""

from services.privacy.confirmations import ErasureConfirmation
from services.privacy.erase import is_pseudonym
from services.privacy.export import SECTIONS
from services.privacy.retention import RetentionReport
from services.privacy.service import (
    CONFIRM_TTL,
    DEFAULT_RETENTION,
    LINK_TTL,
    OPTED_OUT,
    PERSONAL_DATA,
    PRIVACY_NOTICE,
    Erased,
    ErasureQuestion,
    ExportRequested,
    OptedOut,
    Privacy,
    PrivacySettings,
)

__all__ = [
    "CONFIRM_TTL", "DEFAULT_RETENTION", "LINK_TTL", "OPTED_OUT", "PERSONAL_DATA", "PRIVACY_NOTICE",
    "SECTIONS", "Erased", "ErasureConfirmation", "ErasureQuestion", "ExportRequested", "OptedOut",
    "Privacy", "PrivacySettings", "RetentionReport", "is_pseudonym",
]
