r"""One mailbox, one key: canonical email addresses for linking accounts.

Several spellings of an address reach one mailbox, and a controller registering many
accounts uses them to get past a "one account per email" check: ``Jo.Hn+ad1@gmail.com``,
``john+ad2@googlemail.com`` and ``john@gmail.com`` are one Gmail mailbox. Linking keys are
therefore the mailbox (:func:`canonical_email`), not the address as written. The rules per
provider are the providers' own documented delivery rules (docs/methods.md, "Mailbox
canonicalisation"):

=========================================  =====================  ===========  ==========
provider (domains)                         domain becomes         dots         ``+tag``
=========================================  =====================  ===========  ==========
Gmail (gmail.com, googlemail.com)          gmail.com              ignored      dropped
Microsoft (outlook.*, hotmail.*, live.*,   kept                   significant  dropped
msn.com)
Apple (icloud.com, me.com, mac.com)        kept                   significant  dropped
Proton (proton.me, protonmail.com,         proton.me              ignored*     dropped
protonmail.ch, pm.me)
Fastmail (fastmail.com, fastmail.fm)       kept                   significant  dropped
Yahoo (yahoo.*, ymail.com)                 kept                   significant  kept
any other domain                           kept                   significant  kept
=========================================  =====================  ===========  ==========

\* Proton ignores hyphens and underscores as well as dots, and a username is one account
across its domains (``alice.user@protonmail.com`` and ``alice.user@pm.me`` are one
mailbox, per Proton's "Email addresses and aliases" help page); the separators rule is
reported by users and confirmed by Proton support, not in its documentation.

Everything is lower-cased first (providers treat local parts case-insensitively in
practice) and surrounding spaces and ``mailto:`` are dropped. Yahoo's disposable
addresses (``base-keyword@yahoo.com``) cannot be told from an ordinary hyphen and are kept.
Other domains are left as written: a company server may treat ``a.b`` and ``ab`` as two
people.
"""

from __future__ import annotations

import re
from functools import lru_cache

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
PROTON_DOMAINS = frozenset({"proton.me", "protonmail.com", "protonmail.ch", "pm.me"})
#: Providers that deliver ``local+tag`` to ``local`` (domain names or ``prefix.*``).
PLUS_TAG = (
    "gmail.com",
    "outlook.",
    "hotmail.",
    "live.",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    "fastmail.com",
    "fastmail.fm",
)
_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _plus_tag(domain: str) -> bool:
    return any(domain == p or (p.endswith(".") and domain.startswith(p)) for p in PLUS_TAG)


@lru_cache(maxsize=200_000)
def canonical_email(raw: str | None) -> str | None:
    """The mailbox an address reaches (rules in the module docstring), or None when the
    value is not an address.

    >>> canonical_email("Jo.Hn+ad1@GoogleMail.com")
    'john@gmail.com'
    >>> canonical_email("j.smith+x@hotmail.co.uk")
    'j.smith@hotmail.co.uk'
    """
    if raw is None:
        return None
    text = str(raw).strip().lower()
    if text.startswith("mailto:"):
        text = text[7:]
    if not _SHAPE.match(text):
        return None
    local, domain = text.rsplit("@", 1)
    if domain in GMAIL_DOMAINS:
        domain = "gmail.com"
    elif domain in PROTON_DOMAINS:
        domain = "proton.me"
    if _plus_tag(domain):
        local = local.split("+", 1)[0]
    if domain == "gmail.com":
        local = local.replace(".", "")
    elif domain == "proton.me":
        local = re.sub(r"[._-]", "", local)
    if not local:
        return None
    return f"{local}@{domain}"
