"""The site's HTML: a code page, a category page and the index, from the lake's rows (Jinja2 templates)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import jinja2

from flows.lookup.profile import money, ordinal, ranking_sentence, render
from flows.site import charts
from flows.site.data import Category, Release, slug

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@dataclass(frozen=True)
class Frame:
    """A chart frame as a page refers to it: a shared file, or (a page on its own) the SVG inlined as data."""

    name: str
    src: str
    alt: str
    width: float
    height: float


@dataclass(frozen=True)
class Links:
    """How pages refer to each other and to the shared assets: a site, or one self-contained page."""

    root: str | None  # from a code page to the site's top; None for a page on its own

    def frame(self, chart: charts.Chart) -> Frame:
        if self.root is None:
            data = base64.b64encode(chart.frame_svg().encode()).decode()
            src = f"data:image/svg+xml;base64,{data}"
        else:
            src = f"{self.root}assets/charts/{chart.name}.svg"
        return Frame(chart.name, src, chart.alt, chart.width, chart.height)

    def category(self, name: str) -> str | None:
        return None if self.root is None else f"{self.root}categories/{slug(name)}.html"


def usd(amount: float | Decimal | None) -> str:
    return "—" if amount is None else f"${amount:,.2f}"


def code_page(p: dict, release: Release, category: Category | None, category_chart: charts.Chart | None,
              links: Links) -> str:  # fmt: skip
    """One code's page."""
    facts = [(label, value) for label, value in render(p) if label not in ("Code", "Ranking", "Specialties")]
    shown = f" (row {p['shown_modifier']})" if p["shown_modifier"] else ""
    return (
        environment()
        .get_template("code.html.j2")
        .render(
            p=p,
            release=release,
            root=links.root,
            inline_css=(ASSETS / "style.css").read_text() if links.root is None else None,
            category_href=links.category(p["category"]),
            ranking=ranking_sentence(p),
            shown=shown,
            national={
                "nonfacility": money(p["fee_nonfacility_usd"], p["nonfacility_na"]),
                "facility": money(p["fee_facility_usd"], p["facility_na"]),
                # as CMS's look-up tool shows them beside the fee
                "nonfacility_nonpar": _nonpar(p, "nonfacility"),
                "facility_nonpar": _nonpar(p, "facility"),
            },  # fmt: skip
            facts=facts,
            rows=[_row(r) for r in p["rows"]],
            rvu=_rvus(p, links),
            localities=_localities(p, release, links),
            category=_category(p, category, category_chart, links),
            history=_history(p, release, links),
            specialties=_specialties(p["specialties"]),
            no_specialties=_no_specialties(release),
        )
    )


def _nonpar(p: dict, setting: str) -> str:
    """A non-participating provider's national fee in a setting with its limiting charge."""
    fee, limit = p[f"fee_{setting}_nonpar_usd"], p[f"limiting_charge_{setting}_usd"]
    na = " (NA setting)" if p[f"{setting}_na"] else ""
    return "—" if fee is None else f"{money(fee)} (limiting charge {money(limit)}){na}"


def _row(r: dict) -> dict:
    return r | {"nonfacility": money(r["fee_nonfacility_usd"], r["nonfacility_na"]),
                "facility": money(r["fee_facility_usd"], r["facility_na"])}  # fmt: skip


def _rvus(p: dict, links: Links) -> dict:
    parts = [float(p[k] or 0) for k in ("work_rvu", "nonfacility_pe_rvu", "facility_pe_rvu", "mp_rvu")]
    chart, layer = charts.rvu_layer(*parts)
    desc = (f"Non-facility: work {p['work_rvu']}, PE {p['nonfacility_pe_rvu']}, MP {p['mp_rvu']}, total "
            f"{p['nonfacility_total_rvu']}. Facility: work {p['work_rvu']}, PE {p['facility_pe_rvu']}, MP "
            f"{p['mp_rvu']}, total {p['facility_total_rvu']}.")  # fmt: skip
    return {"frame": links.frame(chart), "layer": layer, "desc": desc}


# each setting's column in a locality_fees row, its national column, its NA flag, its name, and the columns of its
# non-participating fee and limiting charge
LOCALITY = {"nonfacility": (5, "fee_nonfacility_usd", "nonfacility_na", "non-facility", 9),
            "facility": (6, "fee_facility_usd", "facility_na", "facility", 11)}  # fmt: skip


def _localities(p: dict, release: Release, links: Links) -> dict:
    """The chart and table of the code's fee in every locality, in the setting CMS pays (non-facility first)."""
    # (hcpcs, mac, locality, state, name, nonfacility, facility, capped_nf, capped_f, nonpar_nf, limiting_nf,
    # nonpar_f, limiting_f)
    fees = p["locality_fees"]
    unpaid = f"No locality fees: CMS pays no PFS amount for status {p['status_code']} codes."
    if not fees:
        if "gpci" not in release.files_missing:
            return {"chart": None, "why": unpaid}
        why = (f"No locality fees: the lake's copy of {release.release} has no GPCI file "
               f"(it holds {', '.join(release.files)}).")  # fmt: skip
        return {"chart": None, "why": why}
    setting = "facility" if p["nonfacility_na"] and not p["facility_na"] else "nonfacility"
    column, national_key, _, label, _ = LOCALITY[setting]
    ordered = sorted(fees, key=lambda r: (r[column] is None, r[column], r[1], r[2]))
    values = [r[column] for r in ordered if r[column] is not None]
    if not values:
        return {"chart": None, "why": unpaid}
    median = p[f"fee_{setting}_median_usd"]
    national = p[national_key]
    chart, layer = charts.locality_layer(values, None if national is None else float(national), float(median), label)
    # a setting CMS does not pay (NA) gets no column: a hundred cells of "NA" would say it less clearly
    shown = [s for s in ("nonfacility", "facility") if not p[LOCALITY[s][2]]] or ["nonfacility", "facility"]
    rows = [(f"{r[4]} ({r[3]})", f"{r[1]} {r[2]}", *(cell for s in shown for cell in _locality_cells(r, s)))
            for r in ordered]  # fmt: skip
    low, high = ordered[0], ordered[len(values) - 1]
    desc = (f"{len(values)} localities from {usd(low[column])} ({low[4]}, {low[3]}) to {usd(high[column])} "
            f"({high[4]}, {high[3]}); median {usd(median)}; national {usd(national)}.")  # fmt: skip
    return {"chart": {"frame": links.frame(chart), "layer": layer}, "setting": label, "rows": rows, "desc": desc,
            "capped": any(r[7] or r[8] for r in ordered),
            "settings": [h for s in shown for h in (LOCALITY[s][3], f"{LOCALITY[s][3]}, non-participating")],
            "na": [LOCALITY[s][3] for s in LOCALITY if s not in shown]}  # fmt: skip


def _locality_cells(row: tuple, setting: str) -> tuple[str, str]:
    """A locality's fee in a setting, and a non-participating provider's fee with its limiting charge."""
    fee, nonpar = LOCALITY[setting][0], LOCALITY[setting][4]
    if row[fee] is None:
        return "—", "—"
    return f"{row[fee]:,.2f}{'*' if row[fee + 2] else ''}", f"{row[nonpar]:,.2f} (limit {row[nonpar + 1]:,.2f})"


def _category(p: dict, category: Category | None, chart: charts.Chart | None, links: Links) -> dict:
    if category is None or chart is None:
        caption = f"No {p['category']} code has a work RVU in this release, so the category is not ranked."
        return {"chart": None, "marked": False, "caption": caption}
    frame = links.frame(chart)
    if p["percentile"] is None:
        caption = f"{p['hcpcs']} has no work RVU, so it is not on this curve: {ranking_sentence(p)}"
        return {"chart": {"frame": frame, "layer": ""}, "marked": False, "caption": caption,
                "desc": chart.alt}  # fmt: skip
    layer = charts.category_layer(chart, p["hcpcs"], p["ranked_work_rvu"], p["percentile"])
    pct = ordinal(round(p["percentile"]))
    caption = (f"{p['hcpcs']} (work RVU {p['ranked_work_rvu']:g}) is at the {pct} percentile: "
               f"{p['percentile']:.1f}% of the {p['n']:,} ranked {p['category']} codes have a work RVU at or below "
               f"its own ({p['ties']} others tie with it).")  # fmt: skip
    return {
        "chart": {"frame": frame, "layer": layer},
        "marked": True,
        "caption": caption,
        "desc": f"{chart.alt}. {p['hcpcs']} is marked at work RVU {p['ranked_work_rvu']:g}, the {pct} percentile.",
    }


def _history(p: dict, release: Release, links: Links) -> dict:
    rows = [{
        "release": h["release"], "effective_from": h["effective_from"], "status_code": h["status_code"],
        "work_rvu": _rvu(h["work_rvu"]), "total_rvu": _rvu(h["nonfacility_total_rvu"]),
        "fee": usd(h["fee_nonfacility_usd"]),
        "change": "—" if h["fee_nonfacility_change_usd"] is None else f"{h['fee_nonfacility_change_usd']:+,.2f}",
    } for h in p["history"]]  # fmt: skip
    fees = {h["release"]: h["fee_nonfacility_usd"] for h in p["history"] if h["fee_nonfacility_usd"] is not None}
    if not fees:
        return {"chart": None, "rows": rows}
    chart, layer = charts.history_layer(release.lake_releases, fees)
    desc = "; ".join(f"{r}: {usd(fee)}" for r, fee in fees.items())
    return {"chart": {"frame": links.frame(chart), "layer": layer}, "rows": rows, "desc": desc}


def _rvu(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


SOURCES = {"provider_service": "Medicare Physician & Other Practitioners by Provider and Service",
           "psps": "Physician/Supplier Procedure Summary (PSPS)"}  # fmt: skip


def _specialties(rows: list[dict]) -> list[dict]:
    groups = []
    for source in dict.fromkeys(s["source"] for s in rows):
        mine = [s for s in rows if s["source"] == source]
        groups.append({
            "caption": f"{mine[0]['year']}, {SOURCES.get(source, source)}: the specialties with the most services",
            "providers": any(s["providers"] is not None for s in mine),
            "rows": [{"rank": s["rank"], "specialty": s["specialty"], "share": f"{s['share']:.1%}",
                      "bar": f"{100 * s['share']:.1f}", "services": f"{s['services']:,.0f}",
                      "providers": "—" if s["providers"] is None else f"{s['providers']:,}"} for s in mine],
        })  # fmt: skip
    return groups


def _no_specialties(release: Release) -> str:
    if not release.has_specialties:
        return (
            "The lake has no utilization data yet, so who bills this code is not known here "
            "(pfs refresh --utilization YEAR --source FILE adds it)."
        )
    return "CMS's utilization data in the lake has no services for this code (or only suppressed small counts)."


def category_page(category_name: str, codes: list[dict], category: Category | None, frame: Frame | None,
                  release: Release) -> str:  # fmt: skip
    """A category's page: its distribution and every code of it."""
    rows = [c | {"fee": usd(c["fee_nonfacility_usd"]), "percentile": _ordinal(c["percentile"])} for c in codes]
    return environment().get_template("category.html.j2").render(
        name=category_name, codes=rows, frame=frame, release=release, root="../", inline_css=None,
        ranked=len(category.values) if category else 0,
        median=f"{category.median:g}" if category else None,
        max_value=f"{category.max_value:g}" if category else None,
        max_hcpcs=category.max_hcpcs if category else None,
    )  # fmt: skip


def _ordinal(percentile: float | None) -> str:
    return "—" if percentile is None else ordinal(round(percentile))


def index_page(release: Release, counts: dict[str, int], categories: dict[str, Category]) -> str:
    """The site's front page: search over every code, and the categories."""
    listed = [{"name": name, "href": f"categories/{slug(name)}.html", "codes": f"{n:,}",
               "ranked": f"{len(categories[name].values):,}" if name in categories else "0",
               "median": f"{categories[name].median:g}" if name in categories else "—"}
              for name, n in sorted(counts.items())]  # fmt: skip
    return (
        environment()
        .get_template("index.html.j2")
        .render(release=release, count=f"{sum(counts.values()):,}", categories=listed, root="", inline_css=None)
    )
