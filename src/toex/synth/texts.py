"""Free text: intelligence report narratives and partner call notes.

Templates name the report's subject and associate as the report writes them, and often a
phone number, a vehicle or a street, so that text-mining finds links the structured columns
do not carry. Planted scenarios write their own texts.
"""

from __future__ import annotations

INTEL_TEMPLATES = (
    "{subj} is believed to be supplying class A drugs from an address on {street}, {town}.",
    "{subj} has been seen with {assoc} in {town} on several occasions.",
    "Intelligence suggests {subj} is using mobile {phone} to arrange drug supply.",
    "{subj} seen driving {vrm} in the {town} area late at night.",
    "{subj} is reported to be associating with {other}, who is known for violence.",
    "{subj} is understood to be storing weapons at an address on {street}.",
    "Source reports that {subj} and {assoc} are involved in the exploitation of young females.",
    "{subj} is said to owe money to {other} and has been threatened.",
    "{subj} is using {phone} and is frequently in company with {assoc}.",
    "{subj} has been seen collecting cash from younger males near {street}, {town}.",
)

CALL_NOTES = {
    "language_barrier": "Caller could not speak clear English; another voice translated.",
    "vague_misleading": "Advertiser vague about who places the adverts and where she works.",
    "avoided_call": "Customer did not answer repeated calls / hung up when asked about payer.",
    "male_in_background": "A male voice could be heard directing the woman during the call.",
    "customer_flag_trafficking": "A customer reported concerns that she may be trafficked.",
    "customer_flag_underage": "A customer reported that she appeared to be under age.",
    "other_concern": "Staff have other concerns: several adverts share photos with other accounts.",
}
CALL_CLEAR = (
    "Routine verification call, no concerns.",
    "Spoke to advertiser, details confirmed.",
    "Payment query resolved on the call.",
)


def intel_text(
    u: float,
    subj: str,
    assoc: str | None,
    phone: str | None,
    vrm: str | None,
    town: str,
    street: str,
    other: str | None,
) -> tuple[str, bool]:
    """A narrative for an intelligence report; also whether it names ``other``.

    Templates needing a value that is absent (no associate, phone or vehicle) are skipped.
    """
    values = {
        "subj": subj,
        "assoc": assoc,
        "phone": phone,
        "vrm": vrm,
        "town": town,
        "street": street,
        "other": other,
    }
    usable = [
        t
        for t in INTEL_TEMPLATES
        if all(
            values[k] is not None for k in ("assoc", "phone", "vrm", "other") if "{" + k + "}" in t
        )
    ]
    template = usable[int(u * len(usable)) % len(usable)]
    return template.format(**values), "{other}" in template


def call_notes(flags: dict[str, bool], u: float) -> str:
    """Staff call notes describing the indicator flags raised on the call."""
    said = [CALL_NOTES[k] for k, v in flags.items() if v and k in CALL_NOTES]
    if not said:
        return CALL_CLEAR[int(u * len(CALL_CLEAR)) % len(CALL_CLEAR)]
    return " ".join(said)
