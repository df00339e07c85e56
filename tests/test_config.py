"""Bad configuration stops start-up with a message naming the key; the shipped config.toml is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dozor.cli import app
from dozor.config import ConfigError, load_settings, parse_settings
from moderation.config import Mode
from moderation.types import Ground

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_config_is_valid() -> None:
    settings = load_settings(ROOT / "config.toml")
    assert settings.moderation.mode is Mode.ENFORCE
    assert settings.moderation.thresholds[Ground.OFF_TOPIC].delete > 1
    assert settings.monitor.timezone == "Asia/Barnaul"
    assert settings.moderation.waves.threshold >= 0.8 and settings.moderation.waves.max_age_days == 30


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[moderation]\nmode = "agressive"', "moderation.mode"),
        ("[moderation]\nmodee = 1", "moderation.modee"),
        ("[moderation.thresholds]\nspam = { delete = 0.5, review = 0.9 }", "moderation.thresholds.spam"),
        ("[moderation.thresholds]\nspamm = { delete = 0.5, review = 0.4 }", "moderation.thresholds.spamm"),
        ("[moderation.thresholds]\noff_topic = { delete = 0.9, review = 0.7 }", "moderation"),
        ("[moderation.escalation]\nsteps = [7, 1]", "moderation.escalation.steps"),
        ("[moderation.escalation.grounds]\nobscenity = [400]", "moderation.escalation.grounds.obscenity"),
        ("[moderation.escalation.grounds]\nmat = [1]", "moderation.escalation.grounds.mat"),
        ("[moderation.texts]\nban_comment = 'Удалено: {reason}'", "moderation.texts.ban_comment"),
        ("[moderation.texts]\nwarning = 'Удалено {clause'", "moderation.texts.warning"),
        ("[moderation.workbench]\nrestrict_days = [1, 400]", "moderation.workbench.restrict_days"),
        ("[moderation.workbench]\nundo_minutes = -1", "moderation.workbench.undo_minutes"),
        ("[moderation.waves]\nthreshold = 0.3", "moderation.waves.threshold"),
        ("[moderation.waves]\nmin_words = 1", "moderation.waves.min_words"),
        ("[moderation.waves]\nmax_signatures = 0", "moderation.waves.max_signatures"),
        ("[moderation.waves]\nmax_age_days = 0", "moderation.waves.max_age_days"),
        ("[moderation.waves]\ncapacity = 10", "moderation.waves.capacity"),
        ('[monitor]\ntimezone = "Mars/Olympus"', "monitor.timezone"),
        ("[[vk.pages]]\ngroup_id = -5", "vk.pages.0.group_id"),
        ("[telegram]\nchannels = ['abc']", "telegram.channels"),
    ],
)
def test_bad_value_names_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(text)
    assert key in str(info.value)


def test_shipped_config_restricts_serious_grounds_at_once_and_words_texts_in_russian() -> None:
    moderation = load_settings(ROOT / "config.toml").moderation
    for ground in (Ground.OBSCENITY, Ground.PROVOCATION, Ground.LAW_VIOLATION):
        assert moderation.escalation.days_for(0, ground) > 0
    assert moderation.escalation.days_for(0, Ground.ADVERTISING) == 0
    ban = moderation.texts.ban_comment
    assert "{clause}" in ban and "clause" not in ban.replace("{clause}", "")
    assert moderation.workbench.restrict_days == (1, 7, 30) and moderation.workbench.undo_minutes == 15


def test_broken_toml_is_reported() -> None:
    with pytest.raises(ConfigError, match="это не TOML"):
        parse_settings("[moderation\nmode=")


def test_run_refuses_to_start_on_bad_config(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('[moderation]\nmode = "agressive"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(bad), "--for", "1"])
    assert result.exit_code == 2
    assert "moderation.mode" in result.output
