"""Full names: private persons are personal data, public officials in their public role are not."""

from __future__ import annotations

import pytest

from moderation.pii import names as pii_names
from moderation.pii.detector import PersonalDataDetector
from moderation.pii.names import full_name, parse_official

OFFICIALS = ("Фельдман Дмитрий Зиновьевич", "Шишкина Ирина Викторовна")
DELETE = 0.8
REVIEW = 0.5


@pytest.fixture(scope="module")
def detector() -> PersonalDataDetector:
    return PersonalDataDetector(OFFICIALS)


PRIVATE = [
    pytest.param("Соседка Смирнова Анна из пятой квартиры опять шумит", "Смирнова Анна", id="surname-name"),
    pytest.param("Соседка Петрова М.И. опять жалуется", "Петрова М.И.", id="surname-initials"),
    pytest.param("Иван Петров из соседнего подъезда ворует цветы", "Иван Петров", id="name-surname"),
    pytest.param("Мария Ивановна Сидорова, верните долг", "Мария Ивановна Сидорова", id="full-fio"),
    pytest.param("Пусть Кузнецов Олег Петрович ответит", "Кузнецов Олег Петрович", id="nominative-fio"),
    pytest.param("Передайте Смирновой Анне, что её собака лает", "Смирновой Анне", id="dative"),
]


@pytest.mark.parametrize(("text", "expected"), PRIVATE)
def test_private_full_name_goes_to_review(detector: PersonalDataDetector, text: str, expected: str) -> None:
    (person,) = detector.detect(text)
    assert person.rule == "pii.person_name"
    assert person.spans[0].of(text) == expected
    assert REVIEW <= person.score < DELETE
    assert expected not in person.detail


def test_several_names_alone_still_go_to_review(detector: PersonalDataDetector) -> None:
    """Names add up to one signal: two people named in one comment is still a guess for a moderator, and both
    stay marked on the card."""
    from moderation.verdict.policy import combine

    text = "Иван Петров и Смирнова Анна из соседнего подъезда опять шумят"
    found = detector.detect(text)
    assert [e.rule for e in found] == ["pii.person_name"]
    assert [span.of(text) for span in found[0].spans] == ["Иван Петров", "Смирнова Анна"]
    assert REVIEW <= combine(found)[found[0].ground] < DELETE


def test_name_with_phone_is_deleted(detector: PersonalDataDetector) -> None:
    text = "Иванов Иван Петрович, тел. 89131234567, продаёт гараж"
    person, phone = detector.detect(text)
    assert person.spans[0].of(text) == "Иванов Иван Петрович"
    assert person.score >= DELETE
    assert phone.rule == "pii.phone"


OFFICIAL_MENTIONS = [
    pytest.param("Спасибо Фельдману Дмитрию Зиновьевичу за ремонт дороги!", id="dative"),
    pytest.param("Благодарим Фельдмана Дмитрия Зиновьевича за помощь", id="genitive"),
    pytest.param("Фельдман Д.З. обещал починить крышу", id="surname-initials"),
    pytest.param("Д.З. Фельдман обещал в мае", id="initials-surname"),
    pytest.param("Обращаюсь к Дмитрию Зиновьевичу Фельдману лично", id="name-first-dative"),
    pytest.param("Вопрос к Фельдману Д. З.: когда будет вода?", id="spaced-initials"),
    pytest.param("Спасибо Шишкиной Ирине Викторовне за помощь", id="female-dative"),
    pytest.param("Шишкина И.В. ответила быстро", id="female-initials"),
]


@pytest.mark.parametrize("text", OFFICIAL_MENTIONS)
def test_public_official_is_not_personal_data(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


def test_same_surname_other_person_is_flagged(detector: PersonalDataDetector) -> None:
    text = "Соседка Фельдман Анна опять паркуется на газоне"
    (person,) = detector.detect(text)
    assert person.spans[0].of(text) == "Фельдман Анна"


NOT_NAMES = [
    pytest.param("Ирина, спасибо за ответ", id="first-name-comma"),
    pytest.param("Спасибо, Ирина!", id="thanks-name"),
    pytest.param("Уважаемый Дмитрий Зиновьевич, когда починят?", id="name-patronymic"),
    pytest.param("На улице Максима Горького яма", id="street-named-after-person"),
    pytest.param("Школа имени А.С. Пушкина закрыта на ремонт", id="school-named-after-person"),
    pytest.param("Глава города молодец, дороги сделали", id="title"),
    pytest.param("Администрация Рубцовска опять ничего не сделала", id="organisation"),
    pytest.param("Спасибо Сергею Ивановичу и всей бригаде", id="name-patronymic-dative"),
    pytest.param("Новый Год встретили без света, Дед Мороз не пришёл", id="capitalised-holiday"),
    pytest.param("Почта России опять потеряла посылку", id="organisation-two-words"),
]


@pytest.mark.parametrize("text", NOT_NAMES)
def test_not_a_private_full_name(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Когда починят дорогу на улице Ленина? Уже третий год обещают.",
        "Позор! Бардак! Чиновники не справляются.",
        "Спасибо за оперативный ответ, воду дали.",
        "В Рубцовске опять отключили свет, сколько можно",
        "Ирина, спасибо!",
    ],
)
def test_ordinary_comments_never_reach_ner(
    detector: PersonalDataDetector, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    def no_ner() -> None:
        raise AssertionError("NER must not run on an ordinary comment")

    monkeypatch.setattr(pii_names, "_ner", no_ner)
    assert detector.detect(text) == []


def test_official_named_in_full_needs_no_ner(
    detector: PersonalDataDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_ner() -> None:
        raise AssertionError("an official's full name is cleared by morphology alone")

    monkeypatch.setattr(pii_names, "_ner", no_ner)
    assert detector.detect("Уважаемый Фельдман Дмитрий Зиновьевич, когда починят дорогу?") == []


@pytest.mark.parametrize(
    ("mention", "official"),
    [
        (["Фельдману", "Дмитрию", "Зиновьевичу"], "Фельдман Дмитрий Зиновьевич"),
        (["Фельдмана", "Д.", "З."], "Фельдман Дмитрий Зиновьевич"),
        (["Д.", "Фельдман"], "Фельдман Дмитрий Зиновьевич"),
        (["Шишкиной", "Ирине"], "Шишкина Ирина Викторовна"),
        (["Фельдману", "Д.", "З."], "Фельдман Д. З."),
    ],
)
def test_official_matching_by_lemma(mention: list[str], official: str) -> None:
    assert full_name(mention).same_person(parse_official(official))


@pytest.mark.parametrize(
    ("mention", "official"),
    [
        (["Фельдман", "Анна"], "Фельдман Дмитрий Зиновьевич"),
        (["Фельдман", "Д.", "А."], "Фельдман Дмитрий Зиновьевич"),
        (["Шишкину", "Анну"], "Шишкина Ирина Викторовна"),
    ],
)
def test_official_mismatch(mention: list[str], official: str) -> None:
    assert not full_name(mention).same_person(parse_official(official))


# Public figures, public roles and foreign names: not a Rubtsovsk citizen's personal data.


@pytest.fixture(scope="module")
def with_figures() -> PersonalDataDetector:
    """The detector as the daemon builds it: officials from config, the shipped list of public figures."""
    from dozor.build import build_pii
    from moderation.config import ModerationConfig

    detector = build_pii(ModerationConfig(public_officials=OFFICIALS))
    assert isinstance(detector, PersonalDataDetector)
    return detector


PUBLIC_FIGURES = [
    pytest.param("Илон Маск запустил ещё одну ракету", id="musk"),
    pytest.param("Дональд Трамп снова выиграл выборы", id="trump"),
    pytest.param("Спасибо Владимиру Путину за всё", id="putin-dative"),
    pytest.param("Дмитрий Песков заявил журналистам", id="peskov"),
    pytest.param("Александр Лукашенко приехал в Москву", id="lukashenko"),
    pytest.param("Слава Лукашенко Александру!", id="lukashenko-dative-reversed"),
    pytest.param("Джонни Депп выиграл суд", id="depp"),
    pytest.param("Чарльз Диккенс написал этот роман", id="dickens"),
    pytest.param("Читали труды В. И. Ленина в школе", id="lenin-initials-genitive"),
    pytest.param("При Б.Н. Ельцина всё развалили", id="yeltsin-initials"),
    pytest.param("Стихи Александра Сергеевича Пушкина знает каждый", id="pushkin-full-genitive"),
    pytest.param("Льва Толстого читали все", id="tolstoy-genitive"),
    pytest.param("Юрием Гагариным гордится вся страна", id="gagarin-instrumental"),
    pytest.param("Ханна Монтана лучший сериал", id="fictional"),
    pytest.param("Про Гарри Поттера снова сняли фильм", id="fictional-genitive"),
]


@pytest.mark.parametrize("text", PUBLIC_FIGURES)
def test_public_figure_is_not_personal_data(with_figures: PersonalDataDetector, text: str) -> None:
    assert with_figures.detect(text) == []


PUBLIC_ROLES = [
    pytest.param("Президент Сергей Иванович Борисов подписал указ", id="president-before"),
    pytest.param("Пресс-секретарь президента Олег Сергеевич Кравцов сказал", id="press-secretary-genitive"),
    pytest.param("Олег Кравцов, министр обороны, заявил", id="minister-apposition-after"),
    pytest.param("Писатель Игорь Михайлович Соколов издал книгу", id="writer"),
    pytest.param("Письмо губернатору Олегу Сидоренко отправили вчера", id="governor-dative"),
    pytest.param("Новый фильм режиссёра Игоря Волкова вышел", id="director-genitive"),
    pytest.param("Футболист Артём Дзюба забил гол", id="footballer"),
    pytest.param("Мне нравится певица Анна Седокова", id="singer-female"),
    pytest.param("Экс-президент Сергей Борисов выступил", id="hyphenated-role"),
    pytest.param("Олег Рябцев, вы руководитель управления дорог — пройдитесь пешком", id="municipal-head"),
    pytest.param("Анна Сергеевна Лыкова, вы как начальник отдела видели эту школу?", id="municipal-chief"),
    pytest.param("Заместитель главы Игорь Сомов обещал дорогу", id="deputy-head-before"),
]

REMEMBERED = [
    pytest.param("Мой прадед Громов Семён Ильич погиб под Курском в 1943-м", id="great-grandfather-fell"),
    pytest.param("Иду в Бессмертном полку с портретом деда — Лаптев Фёдор Кузьмич", id="immortal-regiment"),
    pytest.param(
        "Бабушка моя, Зуева Нина Павловна, всю войну работала на заводе. Светлая память", id="home-front"
    ),
]


@pytest.mark.parametrize("text", REMEMBERED)
def test_a_remembered_forebear_is_not_personal_data(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


def test_a_living_grandmother_is_still_a_private_person(detector: PersonalDataDetector) -> None:
    """Kinship alone is not remembrance: without a sign of the dead, the name stays personal data."""
    (found,) = detector.detect("Моя бабушка Зуева Нина Павловна живёт одна, помогите с дровами")
    assert found.rule == "pii.person_name"


@pytest.mark.parametrize("text", PUBLIC_ROLES)
def test_name_in_public_role_is_not_personal_data(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


FOREIGN_NAMES = [
    pytest.param("Илон Маск запустил ракету", "Илон Маск", id="elon"),
    pytest.param("Джонни Депп выиграл суд", "Джонни Депп", id="johnny"),
    pytest.param("Смотрели фильм, где играет Вигго Мортенсен", "Вигго Мортенсен", id="viggo"),
    pytest.param("Ассасинс Крид новая часть вышла", "Ассасинс Крид", id="unknown-words"),
]


@pytest.mark.parametrize(("text", "expected"), FOREIGN_NAMES)
def test_foreign_name_stays_below_review(detector: PersonalDataDetector, text: str, expected: str) -> None:
    found = detector.detect(text)
    assert all(evidence.score < REVIEW for evidence in found)
    assert [evidence.spans[0].of(text) for evidence in found] in ([], [expected])


def test_foreign_names_do_not_add_up_to_review(detector: PersonalDataDetector) -> None:
    from moderation.verdict.policy import combine

    text = "Джонни Депп и Вигго Мортенсен снялись вместе, а Эмили Блант нет"
    assert all(score < REVIEW for score in combine(detector.detect(text)).values())


def test_foreign_name_with_phone_is_deleted(detector: PersonalDataDetector) -> None:
    text = "Эмили Блант, тел. 89131234567, продаёт гараж"
    person, phone = detector.detect(text)
    assert person.spans[0].of(text) == "Эмили Блант"
    assert person.score >= DELETE
    assert phone.rule == "pii.phone"


STILL_PRIVATE = [
    pytest.param("Соседка Петрова Анна Сергеевна опять шумит", "Петрова Анна Сергеевна", id="neighbour"),
    pytest.param("Водитель Иванов Сергей нахамил пассажирам", "Иванов Сергей", id="driver"),
    pytest.param("Петрова Анна пожаловалась журналистам", "Петрова Анна", id="role-word-not-apposition"),
    pytest.param("Соседка Путина Анна опять шумит", "Путина Анна", id="famous-surname-other-name"),
    pytest.param("Илона Петрова опять шумит", "Илона Петрова", id="russian-name-like-foreign"),
    pytest.param("Президент, помогите! Сосед Смирнов Олег ломает забор", "Смирнов Олег", id="other-sentence"),
    pytest.param("Журналист и соседка Смирнова Анна поругались", "Смирнова Анна", id="conjunction-breaks"),
]


@pytest.mark.parametrize(("text", "expected"), STILL_PRIVATE)
def test_private_person_still_flagged(with_figures: PersonalDataDetector, text: str, expected: str) -> None:
    (person,) = with_figures.detect(text)
    assert person.rule == "pii.person_name"
    assert person.spans[0].of(text) == expected
    assert REVIEW <= person.score < DELETE


@pytest.mark.parametrize(
    "text", ["Спасибо Владимиру Путину за всё", "Президент Сергей Борисов подписал указ"]
)
def test_public_figure_or_role_needs_no_ner(
    with_figures: PersonalDataDetector, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    def no_ner() -> None:
        raise AssertionError("a public figure or a name beside a role is cleared by morphology alone")

    monkeypatch.setattr(pii_names, "_ner", no_ner)
    assert with_figures.detect(text) == []


def test_shipped_public_figures_list_parses() -> None:
    from importlib import resources

    lines = (
        resources.files("moderation.pii")
        .joinpath("public_figures.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    entries = [line for line in lines if line.strip() and not line.startswith("#")]
    assert len(entries) >= 150
    for line in entries:
        figure = pii_names.parse_public_figure(line)
        assert figure.surnames and figure.name_initial, line
