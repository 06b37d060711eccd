"""The glossary, the theory page, the licences and the citation file say what they must, and the
code the theory page quotes still exists."""

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import colab_badges  # noqa: E402

THEORY = (ROOT / "docs" / "theory.md").read_text()


def quoted_code() -> list[tuple[str, str]]:
    """(file, line) for every code line in theory.md's python blocks, under '# <file>' comments."""
    pairs = []
    for block in re.findall(r"```python\n(.*?)```", THEORY, re.S):
        source = None
        for line in block.splitlines():
            if re.fullmatch(r"# embedlab/\w+\.py", line.strip()):
                source = line.strip()[2:]
            elif line.strip():
                assert source, f"code line before any '# embedlab/<file>.py' comment: {line}"
                pairs.append((source, line.strip()))
    return pairs


def github_slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_theory_quotes_code_that_still_exists():
    pairs = quoted_code()
    assert len(pairs) >= 15
    for source, line in pairs:
        lines = {x.strip() for x in (ROOT / source).read_text().splitlines()}
        assert line in lines, f"docs/theory.md quotes a line no longer in {source}: {line}"


def test_theory_defines_the_three_objectives_and_renames_lens_beta():
    for heading in ["## beta-NLL", "## Distance cross-entropy", "## Label Embedding Network"]:
        assert heading in THEORY
    assert "The paper calls it β" in THEORY and r"\gamma" in THEORY


def test_lesson_theory_links_point_at_headings():
    slugs = {github_slug(h) for h in re.findall(r"^## (.+)$", THEORY, re.M)}
    lessons = tomllib.loads((ROOT / "docs" / "lessons.toml").read_text())["lessons"]
    for number, lesson in lessons.items():
        if "theory" in lesson:
            assert lesson["theory"] in slugs, number


def test_glossary_has_the_terms_learners_meet():
    glossary = (ROOT / "GLOSSARY.md").read_text()
    terms = re.findall(r"^\*\*(.+?)\*\* —", glossary, re.M)

    def key(term):
        return re.sub(r"[^a-z]", "", term.lower().replace("β", "beta"))

    assert terms == sorted(terms, key=key), "keep the glossary alphabetical"
    text = " ".join(terms).lower()
    for term in [
        "label embedding",
        "code book",
        "prototype",
        "simplex",
        "equiangular tight frame",
        "hadamard matrix",
        "neural collapse",
        "stop-gradient",
        "calibration",
        "temperature scaling",
        "homoglyph",
        "ece",
        "log loss",
        "β-nll",
    ]:
        assert term in text, term


def test_citation_file_matches_pyproject():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    project = colab_badges.project()
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == project["version"]
    assert citation["repository-code"] == project["urls"]["Repository"]
    assert citation["license"] == "MIT" == project["license"]
    assert {"title", "authors", "message"} <= set(citation)


def test_licences_are_stated_and_the_write_up_is_credited():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "[MIT License](LICENSE)" in readme and "[CC BY 4.0](LICENSE-CONTENT)" in readme
    assert 'Deebul Nair, *"Embedding output for Multi-class classification"*' in readme
    assert "January 11, 2022" in readme
