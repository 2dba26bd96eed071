"""Declared schemas of a release's parsed tables (dataframely); transforms/validation.py checks frames against them."""

from __future__ import annotations

from decimal import Decimal

import dataframely as dy

from transforms.validation import CODE, LOCALITY, MAC, MODIFIER, STATE, ZERO


def _rvu(nullable: bool = False) -> dy.Decimal:
    return dy.Decimal(precision=5, scale=2, min=ZERO, nullable=nullable)


def _share() -> dy.Decimal:
    return dy.Decimal(precision=3, scale=2, min=ZERO, max=Decimal(1), nullable=True)


def _gpci(nullable: bool = False) -> dy.Decimal:
    return dy.Decimal(precision=4, scale=3, min_exclusive=ZERO, max=Decimal(5), nullable=nullable)


class RvuSchema(dy.Schema):
    source_line = dy.Int64()
    hcpcs = dy.String(primary_key=True, regex=CODE)
    modifier = dy.String(primary_key=True, regex=MODIFIER)
    description = dy.String(nullable=True)
    status_code = dy.String(regex=r"^[A-Z]$")
    not_used_for_medicare_payment = dy.Bool()
    work_rvu = _rvu()
    nonfacility_pe_rvu = _rvu()
    nonfacility_na = dy.Bool()
    facility_pe_rvu = _rvu()
    facility_na = dy.Bool()
    mp_rvu = _rvu()
    nonfacility_total_rvu = _rvu()
    facility_total_rvu = _rvu()
    pctc_ind = dy.String(nullable=True)
    global_days = dy.String(nullable=True)
    preop_share = _share()
    intraop_share = _share()
    postop_share = _share()
    mult_proc_ind = dy.String(nullable=True)
    bilat_surg_ind = dy.String(nullable=True)
    asst_surg_ind = dy.String(nullable=True)
    co_surg_ind = dy.String(nullable=True)
    team_surg_ind = dy.String(nullable=True)
    pricing_ind = dy.String(nullable=True)
    endo_base = dy.String(nullable=True)
    conversion_factor_usd = dy.Decimal(precision=7, scale=4, min_exclusive=ZERO)
    phys_supervision_ind = dy.String(nullable=True)
    calculation_flag = dy.String(nullable=True)
    imaging_family_ind = dy.String(nullable=True)
    opps_nonfacility_pe_rvu = _rvu()
    opps_facility_pe_rvu = _rvu()
    opps_mp_rvu = _rvu()
    category = dy.String()


class GpciSchema(dy.Schema):
    source_line = dy.Int64()
    mac = dy.String(primary_key=True, regex=MAC)
    state = dy.String(regex=STATE)
    locality = dy.String(primary_key=True, regex=LOCALITY)
    locality_name = dy.String()
    work_gpci = _gpci()
    work_gpci_with_floor = _gpci(nullable=True)
    work_gpci_without_floor = _gpci(nullable=True)
    pe_gpci = _gpci()
    mp_gpci = _gpci()


class LoccoSchema(dy.Schema):
    source_line = dy.Int64()
    mac = dy.String(primary_key=True, regex=MAC)
    locality = dy.String(primary_key=True, regex=LOCALITY)
    state = dy.String(regex=STATE)
    state_name = dy.String()
    fee_schedule_area = dy.String(nullable=True)
    counties = dy.String(nullable=True)
    served_by_two_macs = dy.Bool()


class AnesSchema(dy.Schema):
    source_line = dy.Int64()
    mac = dy.String(primary_key=True, regex=MAC)
    locality = dy.String(primary_key=True, regex=LOCALITY)
    locality_name = dy.String(nullable=True)
    anesthesia_cf_usd = dy.Decimal(precision=7, scale=4, min_exclusive=ZERO)
    national_anesthesia_cf_usd = dy.Decimal(precision=7, scale=4, min_exclusive=ZERO, nullable=True)  # not in the .txt


class OppsCapSchema(dy.Schema):
    source_line = dy.Int64()
    hcpcs = dy.String(primary_key=True, regex=CODE)
    modifier = dy.String(primary_key=True, regex=MODIFIER)
    mac = dy.String(primary_key=True, regex=MAC)
    locality = dy.String(primary_key=True, regex=LOCALITY)
    status_code = dy.String(regex=r"^[A-Z]$")
    opps_cap_nonfacility_usd = dy.Decimal(precision=12, scale=2, min=ZERO)
    opps_cap_facility_usd = dy.Decimal(precision=12, scale=2, min=ZERO)
