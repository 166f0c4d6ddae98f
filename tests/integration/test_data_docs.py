"""Each run's Data Docs are static HTML that renders: headless Chromium takes a screenshot and it
is not blank, and the page names the failing ownership suite."""

from PIL import Image

from revgen.quality.gx import data_docs_folder, run_suites
from revgen.quality.suites import load_suites
from revgen.report.browser import screenshot


def test_the_runs_data_docs_render_in_headless_chromium(built_warehouse, tmp_path):
    run_suites(built_warehouse, "scheduled__2026-04-01T00:00:00+00:00")
    index = data_docs_folder("scheduled__2026-04-01T00:00:00+00:00") / "index.html"
    html = index.read_text()
    assert "ownership" in html and "raw_crm_opportunities" in html
    pages = list(index.parent.rglob("validations/**/*.html"))
    assert len(pages) == len(load_suites())  # one page per suite validated

    (ownership,) = [page for page in pages if "ownership" in page.parts]
    assert 'text-danger" aria-hidden="true"></i> Failed' in ownership.read_text()

    for page, name in ((index, "index"), (ownership, "ownership")):
        png = screenshot(page, tmp_path / f"{name}.png", width=1280, height=1000)
        image = Image.open(png).convert("RGB")
        assert image.size == (1280, 1000)
        colors = image.getcolors(maxcolors=1_000_000)
        assert colors is not None and len(colors) > 20, name  # text and links, not a blank page
        background = max(count for count, _ in colors) / (image.size[0] * image.size[1])
        assert background < (0.998 if name == "index" else 0.99), (name, background)
