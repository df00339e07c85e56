"""Loaders of ok.ru toxic comments and the VK sexism corpus, on small files written here (no dataset text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation import datasets as ds
from evaluation import social
from moderation.types import Ground

G = Ground


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_ok_ru_rows_are_toxic_and_skip_what_detox_already_has(tmp_path: Path) -> None:
    _write(
        tmp_path / "russe_detox_2022" / "train.tsv",
        "toxic_comment\tneutral_comment1\nты просто клоун\tты не прав\n",
    )
    _write(
        tmp_path / social.OK_RU / "ok_toxic_only.txt", "Ты просто клоун!\nты урод\nТЫ УРОД\nну ты и хуйло\n"
    )
    rows = list(social.load_ok_ru(tmp_path))
    assert [(r.text, r.grounds) for r in rows] == [
        ("ты урод", {G.DEFAMATION}),
        ("ну ты и хуйло", {G.OBSCENITY}),
    ]


@pytest.mark.parametrize(
    ("label", "text", "grounds"),
    [
        ("non_sexist", "Отличная новость про парк", set()),
        ("non_sexist", "да ну нахуй этот парк", {G.OBSCENITY}),
        ("racist", "все они одинаковые", {G.PROVOCATION}),
        ("sexist", "женщинам не место за рулём", {G.PROVOCATION}),
        ("sexist", "ты баба, вот и молчи", {G.DEFAMATION}),
        ("sexist", "[id12345|Анна], место твоё на кухне", {G.DEFAMATION}),
        ("sexist", "бабы дуры, блять", {G.PROVOCATION, G.OBSCENITY}),
    ],
)
def test_sexism_labels_become_grounds_by_target(label: str, text: str, grounds: set[Ground]) -> None:
    row = social.sexism_example(text, label, social.SEXISM_VK)
    assert row is not None and row.grounds == grounds
    assert row.weight == 0.5
    if grounds:
        assert G.UNVERIFIED_CLAIM not in row.labelled and grounds <= row.labelled
    other = {G.DEFAMATION, G.PROVOCATION} - grounds
    if label != "non_sexist" and other:
        assert not other & row.labelled  # a sexist row does not say the other insult ground is absent


def test_sexist_in_context_needs_the_post_and_is_unused() -> None:
    assert social.sexism_example("ну-ну", "sexist_in_co", social.SEXISM_VK) is None


def test_media_files_with_unquoted_commas_keep_the_whole_text(tmp_path: Path) -> None:
    folder = tmp_path / social.SEXISM_VK
    _write(folder / "media_1.csv", 'Post_id,Comment_id,Label,Text\n1,2,non_sexist,"в парке, у фонтана"\n')
    _write(folder / "media_2.csv", "Post_id,Comment_id,Label,Text\n")
    _write(
        folder / "media_3.csv",
        "Post_id,Id,Label,Text,,,,\n1,3,non_sexist,в парке,у фонтана,,,\n1,4,racist,x,,,,\n",
    )
    rows = list(social.load_sexism_vk(tmp_path))
    assert [(r.text, r.source) for r in rows] == [
        ("в парке, у фонтана", social.SEXISM_VK),
        ("в парке,у фонтана", social.SEXISM_VK),
        ("x", social.SEXISM_VK),
    ]
    assert rows[2].grounds == {G.PROVOCATION}


def test_the_forum_part_is_its_own_source_with_the_corpus_licence(tmp_path: Path) -> None:
    folder = tmp_path / social.SEXISM_VK
    _write(folder / "ant_1.csv", "Label,Text\nnon_sexist,Привет всем\n")
    _write(folder / "ant_2.csv", "Label,Text\nsexist,все они такие\n")
    _write(folder / "SOURCE.txt", "Licence: GPL-3.0 (test)\n")
    rows = list(social.load_sexism_forum(tmp_path))
    assert [r.source for r in rows] == [social.SEXISM_FORUM] * 2
    assert ds.source_licence(social.SEXISM_FORUM, tmp_path) == "GPL-3.0 (test)"
    assert {social.OK_RU, social.SEXISM_VK, social.SEXISM_FORUM} <= set(ds.PUBLIC_SOURCES) & set(
        ds.LABEL_MAPPING
    )
