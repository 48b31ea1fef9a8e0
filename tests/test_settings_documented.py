"""README.md documents every setting: its settings table lists each ``NEWSQA_<FIELD>``.

The table's first column names the variable, e.g. ``| `NEWSQA_HOME` | ... |``.
"""

from __future__ import annotations

import re

from assistant.settings import Settings


def documented_variables(readme: str) -> set[str]:
    """``NEWSQA_*`` names in the first column of the README's Markdown tables."""
    names = set()
    for line in readme.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = line.strip().strip("|").split("|")
        names.update(re.findall(r"NEWSQA_[A-Z0-9_]+", cells[0]))
    return names


def test_readme_lists_every_setting(repo_root):
    readme_path = repo_root / "README.md"
    assert readme_path.is_file(), "README.md is missing"
    documented = documented_variables(readme_path.read_text(encoding="utf-8"))
    expected = {f"NEWSQA_{name.upper()}" for name in Settings.model_fields}
    missing = sorted(expected - documented)
    assert not missing, f"README.md's settings table lacks: {', '.join(missing)}"
    unknown = sorted(documented - expected)
    assert not unknown, f"README.md documents settings that do not exist: {', '.join(unknown)}"


def test_every_field_reads_its_variable(monkeypatch, tmp_path):
    """Each documented name really is the variable that sets the field."""
    monkeypatch.setenv("NEWSQA_HOME", str(tmp_path))
    monkeypatch.setenv("NEWSQA_TOP_K", "5")
    monkeypatch.setenv("NEWSQA_MIN_EVIDENCE", "0.5")
    settings = Settings()
    assert settings.home == tmp_path
    assert settings.top_k == 5
    assert settings.min_evidence == 0.5
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description for the README"
