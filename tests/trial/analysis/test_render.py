import pytest

from backcoach.trial.analysis import analyze
from backcoach.trial.analysis.figures import write_figures
from backcoach.trial.analysis.render import format_p, table2_frame, to_csv, to_html, to_markdown
from backcoach.trial.simulate import simulate_paper


@pytest.mark.parametrize("p, text", [
    (0.3812, ".38"), (0.0004, "<.001"), (0.0069, ".007"), (0.012, ".01"), (0.999, "1.00"), (None, ""),
])
def test_p_values_print_like_the_paper(p, text):
    assert format_p(p) == text


@pytest.fixture(scope="module")
def result():
    trial = simulate_paper(seed=5)
    return analyze(trial.long, "video", trial.covariates)


def test_markdown_csv_and_html_hold_every_row(result):
    markdown = to_markdown(result)
    assert "AI minus video" in markdown
    assert markdown.count("| Most severe NRS |") == 1 + 3  # Table 1 row and weeks 2, 4, 8
    csv = to_csv(table2_frame(result))
    assert len(csv.strip().splitlines()) == 1 + 20
    html = to_html(result)
    assert html.count("<tr") == (1 + 20) + (1 + len(result.table1))
    assert "Gender" in markdown


def test_figures_are_written_as_png(tmp_path, result):
    paths = write_figures(result, tmp_path)
    assert [p.name for p in paths] == ["figure3_nrs.png", "figure4_secondary.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 10_000
