"""`pfs site` and `pfs page`: a release of the lake as static HTML, rendered on every core.

    <out>/index.html                 search over every code (assets/codes.js), and the categories
    <out>/codes/<HCPCS>.html         one page per code of the release
    <out>/categories/<slug>.html     a category's distribution and every code of it
    <out>/assets/style.css, search.js, codes.js
    <out>/assets/charts/<frame>.svg  chart frames shared by the pages (charts.py)

The site is built beside <out> and swapped in whole. The main process reads the lake in code order and hands
batches of codes to worker processes, which render and write the pages.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from flows.export.folder import replaced
from flows.lake import reader
from flows.site import charts, data, pages
from flows.site.data import Category, Release

BATCH = 250  # codes a worker renders per task: large enough to amortise the hand-over, small for progress
IN_FLIGHT = 4  # batches queued per worker: bounds the memory of pages read ahead


Progress = Callable[[int, int], None]  # (pages done, pages in all)


@dataclass(frozen=True)
class SiteBuilt:
    release: str
    pages: int
    bytes: int
    files: int


def build_site(lake: Path, out: Path, release: str | None = None, cf_variant: str = "non_qp",
               codes: list[str] | None = None, workers: int | None = None,
               progress: Progress | None = None) -> SiteBuilt:  # fmt: skip
    """Render the site of a release (the lake's newest when none is given) into `out`, replacing it: every
    code's page, or only those of `codes`."""
    con = reader.connect(lake)
    try:
        meta = data.release_of(con, (release or data.newest_release(con)).upper(), cf_variant)
        if codes and (absent := data.missing(con, meta, codes)):
            raise LookupError(f"not in {meta.release} at the {cf_variant} conversion factor: {', '.join(absent)}")
        population = data.categories(con, meta)
        total = len(codes) if codes else con.execute(
            "SELECT count(*) FROM code_profile WHERE release = $r AND cf_variant = $v",
            {"r": meta.release, "v": cf_variant}).fetchone()[0]  # fmt: skip
        with replaced(out) as tmp:
            _assets(tmp)
            entries = _code_pages(con, meta, codes or None, population, tmp, total, workers, progress)
            _category_pages(tmp, meta, entries, population)
            (tmp / "index.html").write_text(pages.index_page(meta, _counts(entries), population), encoding="utf-8")
            _search_index(tmp, entries)
    finally:
        con.close()
    files = [p for p in out.rglob("*") if p.is_file()]
    return SiteBuilt(meta.release, len(entries), sum(p.stat().st_size for p in files), len(files))


def build_page(lake: Path, hcpcs: str, out: Path, release: str | None = None, cf_variant: str = "non_qp") -> str:
    """One code's page as a single self-contained file (styles and charts inlined); returns the release."""
    con = reader.connect(lake)
    try:
        meta = data.release_of(con, (release or data.newest_release(con)).upper(), cf_variant)
        profile = next(data.code_pages(con, meta, [hcpcs]), None)
        if profile is None:
            raise LookupError(f"{hcpcs} is not in release {meta.release} of {lake}")
        population = data.categories(con, meta)
    finally:
        con.close()
    category = population.get(profile["category"])
    html = pages.code_page(profile, meta, category, _category_chart(category), pages.Links(None))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return meta.release


def _assets(site: Path) -> None:
    (site / "assets" / "charts").mkdir(parents=True)
    for name in ("style.css", "search.js"):
        shutil.copyfile(pages.ASSETS / name, site / "assets" / name)
    for sub in ("codes", "categories"):
        (site / sub).mkdir()


def _code_pages(con, meta: Release, codes: list[str] | None, population: dict[str, Category], site: Path,
                total: int, workers: int | None, progress: Progress | None) -> list[dict]:  # fmt: skip
    """Every code page, rendered by worker processes; the index entries of the codes, in code order."""
    workers = min(workers or os.cpu_count() or 1, max(1, -(-total // BATCH)))  # no idle process to start
    entries: list[dict] = []
    done = 0
    # spawn, not fork: the parent holds DuckDB's threads
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(meta, population, site)) as pool:  # fmt: skip
        pending: list[Future] = []
        for batch in _batches(data.code_pages(con, meta, codes), BATCH):
            entries += [_entry(p) for p in batch]
            pending.append(pool.submit(_render_batch, batch))
            while len(pending) >= IN_FLIGHT * workers:
                done += pending.pop(0).result()
                if progress:
                    progress(done, total)
        for future in pending:
            done += future.result()
            if progress:
                progress(done, total)
    return entries


def _batches(items: Iterator[dict], size: int) -> Iterator[list[dict]]:
    while batch := list(islice(items, size)):
        yield batch


def _entry(p: dict) -> dict:
    keys = ("hcpcs", "description", "category", "status_code", "work_rvu", "fee_nonfacility_usd", "percentile")
    return {k: p[k] for k in keys}


# --- in a worker process ------------------------------------------------------------------------------------

_worker: dict = {}


def _start_worker(meta: Release, population: dict[str, Category], site: Path) -> None:
    _worker.update(meta=meta, population=population, site=site, frames=set(), categories={})


def _render_batch(batch: list[dict]) -> int:
    """Write the pages of a batch of codes, and any chart frame they use that this worker has not written."""
    meta, site = _worker["meta"], _worker["site"]
    links = pages.Links("../")
    for p in batch:
        category = _worker["population"].get(p["category"])
        if category is not None and category.name not in _worker["categories"]:
            _worker["categories"][category.name] = _category_chart(category)
        chart = _worker["categories"].get(p["category"])
        html = pages.code_page(p, meta, category, chart, links)
        (site / "codes" / f"{p['hcpcs']}.html").write_text(html, encoding="utf-8")
    _write_frames(site)
    return len(batch)


def _write_frames(site: Path) -> None:
    """The frames the charts module has drawn for pages so far, each written once (atomically: the other
    worker may write the same frame)."""
    for chart in charts.drawn():
        if chart.name in _worker["frames"]:
            continue
        target = site / "assets" / "charts" / f"{chart.name}.svg"
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        tmp.write_text(chart.frame_svg(), encoding="utf-8")
        tmp.replace(target)
        _worker["frames"].add(chart.name)


def _category_chart(category: Category | None) -> charts.Chart | None:
    if category is None:
        return None
    return charts.category_chart(category.slug, category.name, category.values, category.median,
                                 category.max_hcpcs)  # fmt: skip


# --- after the code pages -----------------------------------------------------------------------------------


def _counts(codes: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in codes:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    return counts


def _category_pages(site: Path, meta: Release, codes: list[dict], population: dict[str, Category]) -> None:
    for name in _counts(codes):
        category = population.get(name)
        frame = None
        if category is not None:
            chart = _category_chart(category)
            frame = pages.Links("../").frame(chart)
            (site / "assets" / "charts" / f"{chart.name}.svg").write_text(chart.frame_svg(), encoding="utf-8")
        mine = [c for c in codes if c["category"] == name]
        html = pages.category_page(name, mine, category, frame, meta)
        (site / "categories" / f"{data.slug(name)}.html").write_text(html, encoding="utf-8")


def _search_index(site: Path, codes: list[dict]) -> None:
    """assets/codes.js: what the index page searches (a script, not JSON: browsers refuse file:// fetches)."""
    rows = [[c["hcpcs"], c["description"], c["category"], pages.usd(c["fee_nonfacility_usd"])
             if c["fee_nonfacility_usd"] is not None else ""] for c in codes]  # fmt: skip
    text = "window.PFS_CODES = " + json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + ";\n"
    (site / "assets" / "codes.js").write_text(text, encoding="utf-8")
