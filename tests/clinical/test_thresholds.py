import re
from pathlib import Path

import pytest

from backcoach.clinical.thresholds import ClinicalDataError, TH, load_thresholds

CLINICAL = Path(__file__).resolve().parents[2] / "src" / "backcoach" / "clinical"


def test_every_threshold_is_used_by_the_code():
    code = "\n".join(p.read_text(encoding="utf-8") for p in CLINICAL.glob("*.py"))
    unused = [name for name in TH if not re.search(rf"TH\[\s*[\"']{name}[\"']", code)]
    assert unused == []


def test_every_threshold_the_code_asks_for_exists():
    code = "\n".join(p.read_text(encoding="utf-8") for p in CLINICAL.glob("*.py"))
    asked = set(re.findall(r"TH\[\s*[\"']([a-z0-9_]+)[\"']", code))
    assert asked <= set(TH)


def test_tags_and_sources():
    """Each threshold cites its brief section, or says plainly that the brief does not give it."""
    for name in TH:
        info = TH.info(name)
        assert info.tag in "VPUE"
        assert info.source.startswith("§") or "not in the brief" in info.source, name
    assert TH.info("odi_min_sections").tag == "E" and TH["odi_min_sections"] == 8


def test_bad_threshold_file_names_the_entry(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('version = "x"\n[a]\nvalue = 1\ntag = "Z"\nsource = "s"\n')
    with pytest.raises(ClinicalDataError, match=r"\[a\] tag 'Z' is not one of"):
        load_thresholds(path)


def test_unknown_threshold_name_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown clinical threshold 'nope'"):
        TH["nope"]
