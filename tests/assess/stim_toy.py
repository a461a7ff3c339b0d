"""A toy partner data set for the STIM tests: four accounts, two cases, one of each link.

A1 and A2 share an advert template; A3 and A4 share a payer token; A1 has an obscured phone,
a male name in its email and a staff call with a male in the background (high); A2 posts in
two regions and has two advert phones; A3 is paid for by a Mr.
"""

from __future__ import annotations

import pandas as pd

from toex.assess.stim.indicators import IndicatorSet, load_indicators
from toex.assess.stim.partner_data import PartnerData


def with_templates(config: IndicatorSet | None = None) -> IndicatorSet:
    """The shipped configuration with template linking switched on."""
    base = config or load_indicators()
    return base.model_copy(update={"linking": base.linking.model_copy(update={"template": True})})


TEMPLATE = (
    "hello gents I am {name} a new girl just arrived in town for a short time only "
    "call me for a good time incall and outcall available all day"
)


def toy_data(
    nationalities: tuple[str, ...] = ("Romanian", "British", "Brazilian", "Polish"),
) -> PartnerData:
    """The toy data; ``nationalities`` of A1..A4 can be varied."""
    acc = pd.DataFrame(
        [
            dict(
                account_id=f"A{i + 1}",
                partner="asw",
                created="2022-07-01",
                email=email,
                phone_raw=phone,
                nationality=nat,
                home_region=region,
                display_name=f"Girl {i}",
            )
            for i, (email, phone, nat, region) in enumerate(
                zip(
                    [
                        "john.smith@example.com",
                        "bella@example.com",
                        "rose@example.com",
                        "lily@example.com",
                    ],
                    ["07700 900123", "07700 900999", "07700 900555", "07700 900444"],
                    nationalities,
                    ["London", "London", "North West", "North West"],
                    strict=True,
                )
            )
        ]
    )
    adv = pd.DataFrame(
        [
            dict(
                advert_id="V1",
                account_id="A1",
                partner="asw",
                posted="2022-08-02",
                region="London",
                text=TEMPLATE.format(name="anna"),
                phone_raw="07seven00 900 one23",
            ),
            dict(
                advert_id="V2",
                account_id="A2",
                partner="asw",
                posted="2022-08-03",
                region="West Midlands",
                text=TEMPLATE.format(name="bella"),
                phone_raw="07700 900888",
            ),
            dict(
                advert_id="V3",
                account_id="A2",
                partner="asw",
                posted="2022-09-03",
                region="London",
                text="my girls are young and fresh",
                phone_raw="07700 900999",
            ),
            dict(
                advert_id="V4",
                account_id="A3",
                partner="asw",
                posted="2022-10-03",
                region="North West",
                text="totally unrelated words about a massage parlour",
                phone_raw="07700 900555",
            ),
        ]
    )
    pay = pd.DataFrame(
        [
            dict(
                payment_id="P1",
                account_id="A3",
                partner="asw",
                paid="2022-08-01",
                amount=10.0,
                payer_name="Mark Jones",
                payer_token="T1",
                payer_title="Mr",
            ),
            dict(
                payment_id="P2",
                account_id="A4",
                partner="asw",
                paid="2022-08-01",
                amount=10.0,
                payer_name="M Jones",
                payer_token="T1",
                payer_title="",
            ),
        ]
    )
    calls = pd.DataFrame(
        [
            dict(
                call_id="C1",
                account_id="A1",
                partner="asw",
                call_date="2022-08-05",
                male_in_background="yes",
                avoided_call="no",
            ),
            dict(
                call_id="C2",
                account_id="A3",
                partner="asw",
                call_date="2022-08-06",
                vague_misleading="yes",
            ),
        ]
    )
    return PartnerData(acc, adv, pay, calls)
