"""`pfs site` and `pfs page`: every number and chart mark on a page is the lake's, and the site stands alone."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.export.folder import replaced
from flows.lake import reader
from flows.site import charts
from flows.site.build import build_site
from tests import cms_format as cms

XLINK = "{http://www.w3.org/1999/xlink}href"
GPCI = [
    "10112,AL,0,ALABAMA,1,0.869,0.575",
    "2102,AK,1,ALASKA*,1.5,1.081,0.592",
    "1112,CA,5,SAN FRANCISCO,1.089,1.445,0.561",
]
DESCRIPTOR = 'Drug <sodium> & "phosphate"'  # escaped on the page, and still equal to the lake's


def _services(release: str) -> list[str]:
    """Awkward on purpose: NA settings, 26/TC rows, unpaid statuses, a code in one release only, markup."""
    later = release == "RVU24B"
    rows = [
        cms.pprrvu_row("97140", desc="Manual therapy 1/> regions", work="0.48" if later else "0.43", nf_pe="0.40",
                       f_pe="0.40", f_na="NA", mp="0.01"),
        cms.pprrvu_row("97110", desc="Therapeutic exercises", work="0.45", nf_pe="0.41", f_pe="0.41", f_na="NA",
                       mp="0.02"),
        cms.pprrvu_row("27447", desc="Total knee arthroplasty", work="19.60", nf_pe="15.30", nf_na="NA",
                       f_pe="15.30", mp="3.98"),
        cms.pprrvu_row("71046", desc="X-ray exam chest 2 views", work="0.22", nf_pe="0.71", f_pe="0.71", mp="0.02"),
        cms.pprrvu_row("71046", mod="26", desc="X-ray exam chest 2 views", work="0.22", nf_pe="0.08", f_pe="0.08",
                       mp="0.01"),
        cms.pprrvu_row("71046", mod="TC", desc="X-ray exam chest 2 views", work="0.00", nf_pe="0.63", f_pe="0.63",
                       mp="0.01"),
        cms.pprrvu_row("93005", desc="Electrocardiogram tracing", work="0.00", nf_pe="0.20", f_pe="0.20", mp="0.01"),
        cms.pprrvu_row("J1100", desc=DESCRIPTOR, status="E", work="0.00", nf_pe="0.00", f_pe="0.00", mp="0.00"),
        cms.pprrvu_row("0001F", desc="Heart failure composite", status="M", work="0.00", nf_pe="0.00", f_pe="0.00",
                       mp="0.00"),
    ]  # fmt: skip
    rows.append(cms.pprrvu_row("99213", desc="Office o/p est low 20 min", work="1.30", nf_pe="1.20", f_pe="0.50",
                               mp="0.10") if later else cms.pprrvu_row("97150", desc="Group therapeutic procedures",
                                                                       work="0.29", nf_pe="0.20", f_pe="0.20",
                                                                       mp="0.01"))  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def site_lake(tmp_path_factory, prefect) -> Path:
    from flows.releases.flow import refresh

    root = tmp_path_factory.mktemp("site")
    for release in ("RVU24A", "RVU24B"):
        folder = root / release
        folder.mkdir()
        (folder / "PPRRVU2024_Test.csv").write_bytes(cms.pprrvu(_services(release)))
        (folder / "GPCI2024.csv").write_bytes(cms.gpci(GPCI))
        refresh(release=release, source=str(folder), lake=str(root / "lake"))
    return root / "lake"


@pytest.fixture(scope="module")
def site(site_lake: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "site"
    built = build_site(site_lake, out, workers=2)
    assert (built.release, built.pages) == ("RVU24B", 8)  # the newest release, every code of it
    return out


@pytest.fixture(scope="module")
def con(site_lake: Path):
    con = reader.connect(site_lake)
    yield con
    con.close()


def _xml(path: Path) -> ET.Element:
    """The page parsed as XML: well-formed, or this fails naming the line and column."""
    return ET.fromstring(path.read_text(encoding="utf-8"))


def _text(element: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _by_id(root: ET.Element, id_: str) -> ET.Element:
    found = root.find(f".//*[@id='{id_}']")
    assert found is not None, f"no element with id {id_}"
    return found


def _rows(table: ET.Element) -> list[list[str]]:
    return [[_text(td) for td in tr] for tr in table.find("tbody")]


def _money(text: str) -> Decimal:
    return Decimal(re.search(r"-?[\d,]+\.\d\d", text).group(0).replace(",", ""))


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _query(con, sql: str, **params) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _shown_row(con, hcpcs: str) -> dict:
    """The code's global row, else its first modifier row, read from the lake's rvu and fee_national tables."""
    return _query(con, "SELECT * FROM rvu JOIN fee_national USING (year, release, hcpcs, modifier) "
                       "WHERE release = 'RVU24B' AND hcpcs = $h AND cf_variant = 'non_qp' "
                       "ORDER BY modifier <> '', modifier LIMIT 1", h=hcpcs)[0]  # fmt: skip


def test_every_code_of_the_release_has_a_well_formed_page(site: Path, con):
    codes = {r["hcpcs"] for r in _query(con, "SELECT hcpcs FROM rvu WHERE release = 'RVU24B'")}
    assert {p.stem for p in (site / "codes").glob("*.html")} == codes
    for page in site.rglob("*.html"):
        _xml(page)


@pytest.mark.parametrize("hcpcs", ["97140", "97110", "27447", "71046", "93005", "J1100", "0001F", "99213"])
def test_a_code_page_states_the_lakes_numbers(site: Path, con, hcpcs):
    root = _xml(site / "codes" / f"{hcpcs}.html")
    row = _shown_row(con, hcpcs)
    assert _text(root.find(".//h1")) == f"{hcpcs} {row['description']}"
    facts = {dd.get("data-label"): _text(dd) for dd in _by_id(root, "facts").iter("dd")}
    assert Decimal(facts["Work RVU"]) == row["work_rvu"]
    assert Decimal(facts["MP RVU"]) == row["mp_rvu"]
    assert facts["Status"] == row["status_code"]
    for setting in ("nonfacility", "facility"):
        card, fee = _text(_by_id(root, f"card-{setting}")), row[f"fee_{setting}_usd"]
        assert card.startswith("NA") == row[f"{setting}_na"]
        assert (fee is None and card == "—") or _money(card) == fee
    rvus = _rows(_by_id(root, "rvu-table"))
    assert [Decimal(v) for v in rvus[0][1:]] == [row["work_rvu"], row["nonfacility_pe_rvu"], row["mp_rvu"],
                                                 row["nonfacility_total_rvu"]]  # fmt: skip
    sources = _text(_by_id(root, "sources"))
    sha = _query(con, "SELECT archive_sha256 FROM releases WHERE release = 'RVU24B'")[0]["archive_sha256"]
    assert sha in sources and "PPRRVU2024_Test.csv" in sources


def test_the_ranking_sentence_and_its_chart_are_the_lakes_ranking(site: Path, con):
    rank = _query(con, "SELECT * FROM category_ranking WHERE release = 'RVU24B' AND hcpcs = '97140' "
                       "AND metric = 'work_rvu' AND cf_variant = 'non_qp'")[0]  # fmt: skip
    root = _xml(site / "codes" / "97140.html")
    sentence = _text(_by_id(root, "ranking"))
    assert f"in the {round(rank['percentile'])}th percentile among Medicine codes" in sentence
    assert f"the median ({rank['median']:g})" in sentence and f"{rank['max_value']:g} ({rank['max_hcpcs']})" in sentence
    # the marked point, read back through the frame's axes, is the code's work RVU at its percentile
    svg = _by_id(root, "chart-category").find(".//svg")
    slug = svg.get("data-frame").removeprefix("category-")
    population = [r["value"] for r in _query(con, "SELECT value FROM category_ranking WHERE release = 'RVU24B' "
                  "AND category = 'Medicine' AND metric = 'work_rvu' AND cf_variant = 'non_qp'")]  # fmt: skip
    chart = charts.category_chart(slug, "Medicine", population, rank["median"], rank["max_hcpcs"])
    (point,) = [_xy(chart, float(u.get("x")), float(u.get("y"))) for u in _by_id(svg, "category-point").iter("use")]
    assert point[0] == pytest.approx(rank["value"], rel=0.01)
    assert point[1] == pytest.approx(rank["percentile"], abs=0.1)


def _xy(chart: charts.Chart, x: float, y: float) -> tuple[float, float]:
    """An SVG point of a layer as data, through the frame's axes (SVG's y runs down)."""
    return tuple(chart.axes.transData.inverted().transform((x, chart.height - y)))


def _path(element: ET.Element) -> list[tuple[float, float]]:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", element.find(".//path").get("d"))]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def _locality_fees(con, hcpcs: str) -> dict[str, dict]:
    shown = _shown_row(con, hcpcs)["modifier"]
    rows = _query(con, "SELECT * FROM fee_locality WHERE release = 'RVU24B' AND hcpcs = $h AND modifier = $m "
                       "AND cf_variant = 'non_qp'", h=hcpcs, m=shown)  # fmt: skip
    return {f"{r['mac']} {r['locality']}": r for r in rows}


@pytest.mark.parametrize(("hcpcs", "setting"), [("97140", "nonfacility"), ("27447", "facility"),
                                                ("71046", "nonfacility")])  # fmt: skip
def test_the_locality_table_and_chart_hold_every_localitys_fee(site: Path, con, hcpcs, setting):
    lake = _locality_fees(con, hcpcs)
    row = _shown_row(con, hcpcs)
    root = _xml(site / "codes" / f"{hcpcs}.html")
    table = _by_id(root, "locality-fees")
    headers = [_text(th) for th in table.find("thead").iter("th")][3:]
    paid = [s for s in ("nonfacility", "facility") if not row[f"{s}_na"]]
    names = {"nonfacility": "Non-facility", "facility": "Facility"}
    assert headers == [h for s in paid for h in (names[s], f"{names[s]}, non-participating")]
    rows = _rows(table)
    assert sorted(r[2] for r in rows) == sorted(lake)
    for r in rows:
        for (fee, nonpar), s in zip(zip(r[3::2], r[4::2], strict=True), paid, strict=True):
            assert _money(fee) == lake[r[2]][f"fee_{s}_usd"]
            # a non-participating provider: 95% of the fee, and its limiting charge 115% of that, each to the cent
            expected = _cents(lake[r[2]][f"fee_{s}_usd"] * Decimal("0.95"))
            limit = _cents(lake[r[2]][f"fee_{s}_usd"] * Decimal("0.95") * Decimal("1.15"))
            assert nonpar == f"{expected:,.2f} (limit {limit:,.2f})"
    fees = [float(lake[r[2]][f"fee_{setting}_usd"]) for r in rows]
    assert fees == sorted(fees)  # lowest first, as the chart's bars
    # the bars, read back through the frame's axes: locality i's bar stands at its fee
    svg = _by_id(root, "chart-localities").find(".//svg")
    count, top, name = re.fullmatch(r"localities-(\d+)-([\d.]+)-(.+)", svg.get("data-frame")).groups()
    chart = charts.locality_chart(int(count), float(top), name)
    outline = [_xy(chart, x, y) for x, y in _path(_by_id(svg, "loc-bars"))]
    tolerance = float(top) * 0.06 / 170  # 0.06 pt of the 170 pt plot: what rounding to 0.1 pt can move a bar
    for i, fee in enumerate(fees):
        edges = zip(outline, outline[1:], strict=False)
        tops = [y0 for (x0, y0), (x1, y1) in edges if y0 == y1 and x0 <= i + 0.5 <= x1]
        assert tops and tops[0] == pytest.approx(fee, abs=tolerance), f"locality {i} of {hcpcs}"
    national = [_xy(chart, x, y)[1] for x, y in _path(_by_id(svg, "loc-national"))]
    assert national[0] == pytest.approx(float(row[f"fee_{setting}_usd"]), abs=tolerance)


@pytest.mark.parametrize("hcpcs", ["97140", "27447"])
def test_the_rvu_chart_stacks_the_codes_rvus(site: Path, con, hcpcs):
    row = _shown_row(con, hcpcs)
    svg = _by_id(_xml(site / "codes" / f"{hcpcs}.html"), "chart-rvus").find(".//svg")
    chart = charts.rvu_chart(float(svg.get("data-frame").removeprefix("rvu-")))
    for setting, pe in (("nonfacility", row["nonfacility_pe_rvu"]), ("facility", row["facility_pe_rvu"])):
        for part, value in (("work", row["work_rvu"]), ("pe", pe), ("mp", row["mp_rvu"])):
            xs = [_xy(chart, x, y)[0] for x, y in _path(_by_id(svg, f"rvu-{setting}-{part}"))]
            assert max(xs) - min(xs) == pytest.approx(float(value), abs=0.01)


def test_history_lists_each_release_with_its_change(site: Path, con):
    lake = _query(con, "SELECT p.release, p.work_rvu, p.fee_nonfacility_usd FROM code_profile AS p JOIN "
                       "release_validity USING (release) WHERE hcpcs = '97140' AND cf_variant = 'non_qp' "
                       "ORDER BY valid_from")  # fmt: skip
    root = _xml(site / "codes" / "97140.html")
    rows = _rows(_by_id(root, "history-table"))
    assert [r[0] for r in rows] == [h["release"] for h in lake] == ["RVU24A", "RVU24B"]
    assert [Decimal(r[3]) for r in rows] == [h["work_rvu"] for h in lake]
    assert [_money(r[5]) for r in rows] == [h["fee_nonfacility_usd"] for h in lake]
    assert _money(rows[1][6]) == lake[1]["fee_nonfacility_usd"] - lake[0]["fee_nonfacility_usd"]
    svg = _by_id(root, "chart-history").find(".//svg")
    top = float(svg.get("data-frame").rsplit("-", 1)[1])
    chart = charts.history_chart(("RVU24A", "RVU24B"), top)
    points = [_xy(chart, float(u.get("x")), float(u.get("y"))) for u in _by_id(svg, "history-line").iter("use")]
    assert [round(x) for x, _ in points] == [0, 1]
    assert [y for _, y in points] == pytest.approx([float(h["fee_nonfacility_usd"]) for h in lake], abs=top / 1000)
    # a code of one release only has one point; a new code's history starts with it
    new = _rows(_by_id(_xml(site / "codes" / "99213.html"), "history-table"))
    assert [r[0] for r in new] == ["RVU24B"] and new[0][6] == "—"


def test_pages_say_what_the_lake_does_not_have(site: Path):
    unpaid = _xml(site / "codes" / "J1100.html")
    assert "status E" in _text(_by_id(unpaid, "no-localities"))
    assert "is not ranked" in _text(_by_id(unpaid, "category"))  # no J code has work
    unranked = _xml(site / "codes" / "93005.html")
    assert "93005 has no work RVU, so it is not on this curve" in _text(_by_id(unranked, "category"))
    assert _by_id(unranked, "chart-category").find(".//svg").find(".//use") is None  # the curve, nothing marked
    assert "no utilization data" in _text(_by_id(unpaid, "no-specialties"))
    assert _text(unpaid.find(".//h1")) == f"J1100 {DESCRIPTOR}"
    assert _by_id(_xml(site / "codes" / "71046.html"), "rows") is not None  # its 26 and TC rows are listed


def test_the_site_stands_alone(site: Path):
    """Every reference resolves to a file of the site: nothing is fetched from the network."""
    for page in site.rglob("*.html"):
        for element in _xml(page).iter():
            for attribute in ("src", "href", XLINK):
                target = element.get(attribute)
                if target is None or target.startswith(("#", "data:")):
                    continue
                assert "//" not in target and ":" not in target, f"{page.name}: {target}"
                assert (page.parent / target).resolve().is_file(), f"{page.name}: {target} is not in the site"
    for asset in (site / "assets").rglob("*"):
        if asset.suffix in (".css", ".js"):
            text = asset.read_text()
            assert not re.search(r"https?:|@import|fetch\(|XMLHttpRequest", text), asset.name


def test_index_and_category_pages_list_the_codes(site: Path, con):
    script = (site / "assets" / "codes.js").read_text()
    assert {h for h in re.findall(r'\["([0-9A-Z]{5})"', script)} == {p.stem for p in (site / "codes").glob("*")}
    index = _xml(site / "index.html")
    linked = {a.get("href") for a in index.iter("a")}
    medicine = site / "categories" / "medicine.html"
    assert "categories/medicine.html" in linked
    listed = {a.get("href") for a in _xml(medicine).iter("a")}
    assert {"../codes/97140.html", "../codes/97110.html"} <= listed


def test_the_same_release_renders_byte_for_byte_again(site: Path, site_lake: Path, tmp_path):
    again = tmp_path / "again"
    build_site(site_lake, again, workers=1)
    assert _digests(again) == _digests(site)


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def test_pfs_page_writes_one_self_contained_file(site_lake: Path, tmp_path):
    out = tmp_path / "97140.html"
    result = CliRunner().invoke(app, ["page", "97140", "--release", "RVU24A", "--out", str(out),
                                      "--lake", str(site_lake)])  # fmt: skip
    assert result.exit_code == 0, result.output
    root = _xml(out)
    assert "work RVU 0.43" in _text(_by_id(root, "category"))  # RVU24A's, not the newest release's
    references = [e.get(a) for e in root.iter() for a in ("src", "href") if e.get(a)]
    assert references and all(r.startswith(("data:", "#")) for r in references)


def test_pfs_site_names_what_it_cannot_render(site_lake: Path, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("the site before")
    for args, message in ((["--release", "RVU19A"], "RVU19A is not in the lake"),
                          (["--code", "99999"], "not in RVU24B"), (["--code", "9714"], "not HCPCS codes")):  # fmt: skip
        result = CliRunner().invoke(app, ["site", "--out", str(out), "--lake", str(site_lake), *args])
        assert result.exit_code == 1 and message in result.output, result.output
        assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_a_failed_build_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the site before")
    with pytest.raises(RuntimeError), replaced(out) as building:
        (building / "index.html").write_text("half a site")
        raise RuntimeError("a page failed")
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    assert (out / "index.html").read_text() == "the site before"
