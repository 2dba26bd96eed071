"""The payment policy of config/pricing.toml, as the parameters of sql/pricing/price.sql."""

from __future__ import annotations

from decimal import Decimal

from flows import settings
from transforms.places_of_service import facility_periods

SHARE = Decimal("0.000001")


def policy() -> dict:
    return settings.config("pricing.toml", parse_float=Decimal)


def parameters(cf_variant: str) -> dict:
    """Every $parameter of price.sql; shares with six decimals, so DuckDB types them alike (DECIMAL(p, 6))."""
    p = policy()
    multiple, modifiers = p["multiple_procedure"], p["modifiers"]
    values = {
        "variant": cf_variant,
        "facility_places": facility_periods(settings.places_of_service()),
        "paid_statuses": p["paid_statuses"],
        "by_report_statuses": p["by_report_statuses"],
        "standard_others": multiple["standard_others"],
        "standard_most": multiple["standard_most"],
        "imaging_tc_others": multiple["imaging_tc_others"],
        "imaging_pc_others": multiple["imaging_pc_others"],
        "therapy_pe_others": multiple["therapy_pe_others"],
        "cardiology_tc_others": multiple["cardiology_tc_others"],
        "ophthalmology_tc_others": multiple["ophthalmology_tc_others"],
        **{f"bilateral_{indicator}": share for indicator, share in p["bilateral"].items()},
        "assistant": modifiers["assistant"],
        "assistant_share": modifiers["assistant_share"],
        "npp_assistant": modifiers["npp_assistant"],
        "npp_assistant_share": modifiers["npp_assistant_share"],
        "co_surgeon": modifiers["co_surgeon"],
        "co_surgeon_share": modifiers["co_surgeon_share"],
        "team": modifiers["team"],
        "therapy_assistant": modifiers["therapy_assistant"],
        "therapy_assistant_share": modifiers["therapy_assistant_share"],
        "npp_share": p["provider"]["npp_share"],
    }
    return {name: value.quantize(SHARE) if isinstance(value, Decimal) else value for name, value in values.items()}
