"""Telegram scams by rules (rules/spam_offers.toml): each family is caught, a pay rate with a «write me» and a
contact deletes, one weak signal goes to a moderator, and the look-alike cases stay lawful."""

from __future__ import annotations

import pytest

from moderation.lexicon.rules import Lexicon, load_rules
from moderation.text.analysis import analyze
from moderation.types import Action, Comment, Ground
from moderation.verdict.engine import Moderator


def _rules(rules_moderator: Moderator, text: str) -> set[str]:
    return {ev.rule for ev in rules_moderator.verdict(Comment("t", text, None)).evidence}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Подработка для всех, 3000 за вечер", "spam.job_offer"),
        ("Нужны люди на склад, платим хорошо", "spam.job_offer"),
        ("Удалённая работа для студентов", "spam.job_offer"),
        ("Оплата ежедневно, график свободный", "spam.pay_daily"),
        ("2500 за пару часов, всё просто", "spam.pay_daily"),
        ("Деньги без усилий каждый день", "spam.easy_money"),
        ("Есть тема, поднимаем от 15к в неделю", "spam.easy_money"),
        ("Дам в долг без справок", "spam.loan_offer"),
        ("Займ на карту без отказа", "spam.loan_offer"),
        ("Спишу ваши долги законно", "spam.loan_offer"),
        ("Ищем дропов в команду", "spam.drops"),
        ("Сдай свою карту в аренду", "spam.drops"),
        ("Обнал без комиссии", "spam.drops"),
        ("ᴨᴏдᴩᴀбᴏᴛᴋᴀ, ᴏᴨᴧᴀᴛᴀ ᴄᴩᴀзу", "spam.job_offer"),  # small capitals
        ("Πoдpaбoткa, oплaтa в дeнь", "spam.pay_daily"),  # Greek and Latin look-alikes
    ],
)
def test_each_scam_family_is_caught(rules_moderator: Moderator, text: str, rule: str) -> None:
    assert rule in _rules(rules_moderator, text)


@pytest.mark.parametrize(
    "text",
    [
        "Подработка, 4000 в день, пиши @rabota_day_22",
        "Нужны люди, оплата сразу, 5000, подробности в лс https://t.me/job_fast",
        "Есть работа на 2 часа, 3000 на руки, пиши в личку",
        "ᴨᴏдᴩᴀбᴏᴛᴋᴀ ᴨᴏ ʙᴇчᴇᴩᴀм, ᴏᴨᴧᴀᴛᴀ ᴄᴩᴀзу 3000, ᴨиɯи ʙ ᴧᴄ",
        "Сдай карту в аренду, 10 000 в неделю, пиши в телеграм",
    ],
)
def test_scam_with_pay_and_contact_is_deleted(rules_moderator: Moderator, text: str) -> None:
    verdict = rules_moderator.verdict(Comment("t", text, None))
    assert verdict.action is Action.DELETE
    assert Ground.SPAM in verdict.grounds


def test_combination_rule_needs_every_part(rules_moderator: Moderator) -> None:
    """The `all` kind: a pay rate, a «write me» and a contact; any two of them do not fire it."""
    full = "Оплата 3000 в день, пишите в лс, @job_rb_22"
    assert "spam.offer_combo" in _rules(rules_moderator, full)
    assert "spam.offer_combo" not in _rules(rules_moderator, "Оплата 3000 в день, пишите в лс")
    assert "spam.offer_combo" not in _rules(rules_moderator, "Пишите в лс, @job_rb_22")
    assert "spam.offer_combo" not in _rules(rules_moderator, "Оплата 3000 в день, @job_rb_22")


def test_all_kind_marks_each_part() -> None:
    rule = '[[rule]]\nname = "x"\nground = "spam"\nscore = 0.9\nkind = "all"\n'
    rule += 'patterns = ["оплат\\\\w*", "лс"]\n'
    lexicon = Lexicon(load_rules([("x.toml", rule)]))
    text = "Пишите в лс, оплата сразу"
    (evidence,) = lexicon.match(analyze(text))
    assert [text[s.start : s.end] for s in evidence.spans] == ["лс", "оплата"]
    assert lexicon.match(analyze("оплата сразу")) == []


@pytest.mark.parametrize(
    "text",
    ["Выдаю займы частным лицам", "Нужны люди на склад, платим хорошо", "Деньги без усилий каждый день"],
)
def test_one_weak_signal_goes_to_a_moderator(rules_moderator: Moderator, text: str) -> None:
    assert rules_moderator.verdict(Comment("t", text, None)).action is Action.REVIEW


@pytest.mark.parametrize(
    "text",
    [
        "Администрация города приглашает на работу водителя, зарплата 35 000 рублей в месяц",
        "В МБУ «Благоустройство» требуются дворники, обращаться в отдел кадров",
        "Центр занятости проводит ярмарку вакансий, приходите с паспортом",
        "Подскажите, где найти работу в городе? Я сварщик, опыт 10 лет",
        "Ищу подработку на лето, может кто знает, куда берут школьников?",
        "Льготный кредит для малого бизнеса через фонд поддержки, заявки на госуслугах",
        "Социальный контракт: до 350 000 рублей на своё дело, подробности в МФЦ",
        "Помогите найти собаку, рыжая дворняжка, пропала у рынка",
        "Сбор на лечение Вани идёт через благотворительный фонд, реквизиты на сайте фонда",
        "Нужны люди на уборку сквера в субботу, это бесплатная акция жителей",
        "Запись к врачу на gosuslugi.ru или по телефону 8 (38557) 4-11-11",
        "Осторожно, мошенники пишут «подработка, оплата в день» — не ведитесь",
        "Предупредите родителей: подростков просят сдать карту в аренду, это мошенники",
        "Переслано от управляющей компании: с 10 по 12 число отключение горячей воды, просим понять",
    ],
)
def test_hard_negatives_are_not_spam(rules_moderator: Moderator, text: str) -> None:
    verdict = rules_moderator.verdict(Comment("t", text, None))
    assert Ground.SPAM not in verdict.grounds, [e.rule for e in verdict.evidence]
