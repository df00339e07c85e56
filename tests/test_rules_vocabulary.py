"""The vocabulary mined from the public data and placed by hand (issue 11 item 1): each family catches what it
was added for, at its level, and leaves its look-alikes alone. Every sentence here is written for the test."""

from __future__ import annotations

import pytest

from moderation.types import Action, Comment, Ground
from moderation.verdict.engine import Moderator

G = Ground
A = Action

CAUGHT = [
    # political and national name-calling of a group: provocation
    ("Опять ватники набежали со своим мнением", G.PROVOCATION, A.REVIEW, "provocation.political_slur_soft"),
    ("Ватнорылые опять набежали", G.PROVOCATION, A.DELETE, "provocation.political_slur"),
    ("Либерасты снова всем недовольны", G.PROVOCATION, A.DELETE, "provocation.political_slur"),
    ("Укропы опять что-то выдумали", G.PROVOCATION, A.DELETE, "provocation.political_slur"),
    ("Пиндостан нам не указ", G.PROVOCATION, A.DELETE, "provocation.political_slur"),
    ("Обычный хохлосрач в комментариях", G.PROVOCATION, A.DELETE, "provocation.political_slur"),
    ("Это всё жидомасоны придумали", G.PROVOCATION, A.DELETE, "provocation.political_slur"),
    ("В рашке всегда так", G.PROVOCATION, A.REVIEW, "provocation.mock_country_name"),
    ("Типичный ватник пишет", G.PROVOCATION, A.REVIEW, "provocation.political_slur_soft"),
    # the same word aimed at one person: an insult to that person
    ("Ты ватник, вот ты кто", G.DEFAMATION, A.DELETE, "defamation.addressed_insult"),
    # contempt for a person's mind, body and sexual insults
    ("Какой-то недоумок опять написал", G.DEFAMATION, A.REVIEW, "defamation.mind_contempt"),
    ("Ты недоумок и больше никто", G.DEFAMATION, A.DELETE, "defamation.addressed_insult"),
    ("Тупорылый комментарий, как всегда", G.DEFAMATION, A.REVIEW, "defamation.mind_contempt"),
    ("Она шалава, все знают", G.DEFAMATION, A.DELETE, "defamation.addressed_insult"),
    ("Отсоси, умник", G.DEFAMATION, A.DELETE, "defamation.sexual_command"),
    ("Сам дибил, раз так думаешь", G.DEFAMATION, A.DELETE, "defamation.misspelt_insult"),
    ("Путлер опять выступал", G.DEFAMATION, A.REVIEW, "defamation.mock_leader_name"),
    ("Конченый человек этот водитель", G.DEFAMATION, A.REVIEW, "defamation.mind_contempt_root"),
    # abbreviated мат
    ("Иди нах со своими советами", G.OBSCENITY, A.DELETE, "obscenity.abbreviation"),
    ("Мне пох, честно", G.OBSCENITY, A.REVIEW, "obscenity.abbreviation_soft"),
    ("Ну бл, опять не работает", G.OBSCENITY, A.REVIEW, "obscenity.abbreviation_soft"),
    ("Далбаеб за рулём припарковался", G.OBSCENITY, A.DELETE, "obscenity.ebat_misspelt"),
    # calls to come armed, calls to execute
    ("Завтра все к школе, подходите с битами и ножами", G.LAW_VIOLATION, A.DELETE, "law.armed_gathering"),
    ("Собираемся у гаражей, приходите с травматами", G.LAW_VIOLATION, A.DELETE, "law.armed_gathering"),
    ("Берите арматуру, вечером разберёмся", G.LAW_VIOLATION, A.DELETE, "law.armed_gathering"),
    ("Таких расстрелять надо без суда", G.LAW_VIOLATION, A.DELETE, "law.execution_call"),
    ("Поставить их всех к стенке", G.LAW_VIOLATION, A.DELETE, "law.execution_call"),
    ("Расстрелять как предателей", G.LAW_VIOLATION, A.DELETE, "law.execution_call"),
    ("Ворам отрубить руки, и порядок будет", G.LAW_VIOLATION, A.DELETE, "law.execution_call"),
    ("Тварина ты бездушная", G.DEFAMATION, A.DELETE, "defamation.misspelt_insult"),
    ("Чтоб тебя трахнули", G.DEFAMATION, A.REVIEW, "defamation.sexual_vulgar"),
]

# Look-alikes of the new roots: ordinary words and lawful sentences a city page sees.
LOOK_ALIKES = [
    "Продаю укроп и петрушку со своего огорода",
    "Укропа в этом году много, сажайте",
    "Купила вату и бинты в аптеке",
    "Ватные диски подорожали",
    "Адекватные цены на рынке, спасибо",
    "Хохлома на выставке в музее",
    "Хохлатки у соседей несутся хорошо",
    "Насос сосёт воду из колодца плохо",
    "Блок Б, 3 этаж, кабинет 12",
    "Отстрел бродячих собак запрещён законом",
    "Кастрировать собак нужно бесплатно, как в соседнем городе",
    "Повесить объявление надо на доске у подъезда",
    "Картину повесить надо в холле",
    "Приходите на субботник с граблями и лопатами",
    "Вход на стадион с оружием запрещён",
    "Казнить нельзя помиловать — где запятая?",
    "Расстрел царской семьи был в 1918 году",
    "Отодрать старые обои оказалось непросто",
    "Расстрелять снеговиков снежками — любимая игра во дворе",
    "Пожалуйста, не приходите с ножами на праздник, это опасно",
    "Рашкин Андрей, спасибо за помощь",
    "Сепаратор для молока сломался",
    "Либералы и консерваторы спорили на дебатах",
    "Моя бабушка из Украины, а дедушка из Казахстана",
    "Хз, когда починят дорогу",
    "Мудрый совет, спасибо",
    "Всё кончено, матч проигран",
    "Законченный ремонт школы приняли",
    "Хрюканье поросят слышно с фермы",
    "Собирается наряд с дубинками у стадиона — что случилось?",
    "Проститутки на трассе стоят, примите меры",
    "Застрахуйте машину до зимы",
]


@pytest.mark.parametrize(
    ("text", "ground", "action", "rule"), CAUGHT, ids=[c[3] + ":" + c[0][:20] for c in CAUGHT]
)
def test_a_mined_word_is_caught_at_its_level(
    rules_moderator: Moderator, text: str, ground: Ground, action: Action, rule: str
) -> None:
    verdict = rules_moderator.verdict(Comment("v", text))
    assert rule in {e.rule for e in verdict.evidence}
    assert ground in verdict.grounds
    assert verdict.action is action


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_of_mined_words_are_kept(rules_moderator: Moderator, text: str) -> None:
    verdict = rules_moderator.verdict(Comment("v", text))
    assert verdict.action is Action.KEEP, verdict.evidence


def test_a_word_that_is_also_a_jacket_is_never_deleted_alone(rules_moderator: Moderator) -> None:
    """«Ватник» is also a quilted jacket: alone, a moderator decides (plurals and compounds are slurs)."""
    verdict = rules_moderator.verdict(Comment("v", "Ватник дедушкин ещё с войны висит в музее"))
    assert verdict.action is Action.REVIEW and verdict.grounds == (Ground.PROVOCATION,)
