"""The other grounds of clause 2.5 by rules, and the lawful comments that must stay."""

from __future__ import annotations

import pytest

from moderation.types import Action, Comment, Ground
from moderation.verdict.engine import Moderator

G = Ground
CASES = [
    # engagement requests: inflected imperatives and requests
    ("Добавьте меня в друзья, пожалуйста", G.ENGAGEMENT_REQUEST, Action.DELETE),
    ("Добавляйтесь в друзья, всех приму", G.ENGAGEMENT_REQUEST, Action.DELETE),
    ("Проголосуйте за мою дочку в конкурсе рисунков!", G.ENGAGEMENT_REQUEST, Action.DELETE),
    ("Прошу проголосовать за нашу команду", G.ENGAGEMENT_REQUEST, Action.DELETE),
    ("Поставьте лайк под моим фото 🙏", G.ENGAGEMENT_REQUEST, Action.DELETE),
    ("Пройдите опрос по ссылке, очень надо", G.ENGAGEMENT_REQUEST, Action.DELETE),
    ("Подпишитесь на мой канал про рыбалку", G.ENGAGEMENT_REQUEST, Action.DELETE),
    ("Лайк за лайк, подписка на подписку", G.ENGAGEMENT_REQUEST, Action.DELETE),
    # spam
    ("Заработок от 5000 рублей в день без вложений, пиши в лс", G.SPAM, Action.DELETE),
    ("Пассивный доход на крипте, подробности в профиле", G.SPAM, Action.DELETE),
    ("Нужны люди на удалённую работу, доход от 3000 в день, пишите в личку", G.SPAM, Action.DELETE),
    # advertising
    (
        "Натяжные потолки недорого! Бесплатный замер, звоните по номеру 8-913-000-00-00",
        G.ADVERTISING,
        Action.DELETE,
    ),
    ("Окна ПВХ по акции, скидки до 30%, обращайтесь в наш салон", G.ADVERTISING, Action.DELETE),
    ("Грузоперевозки по городу, цена от 500 руб/час, звоните", G.ADVERTISING, Action.DELETE),
    # law violations
    ("Давайте все выйдем и перекроем трассу, пока не построят мост!", G.LAW_VIOLATION, Action.DELETE),
    ("Мефедрон, гашиш в наличии, доставка закладкой", G.LAW_VIOLATION, Action.DELETE),
    ("Купить права без экзаменов, с проводкой в базу", G.LAW_VIOLATION, Action.DELETE),
    ("Сделаем справки и больничные задним числом", G.LAW_VIOLATION, Action.DELETE),
    ("Надо сжечь эту администрацию к чертям", G.LAW_VIOLATION, Action.DELETE),
    ("Иди повесься, никто не заплачет", G.LAW_VIOLATION, Action.DELETE),
    ("Мефедрон и гаш, доставка по Рубцовску, пиши боту @shop_rbc", G.LAW_VIOLATION, Action.DELETE),
    ("соль, скорость — клад через час после оплаты", G.LAW_VIOLATION, Action.DELETE),
    ("Ищем закладчиков, оплата каждый день от 4000, пиши в лс", G.LAW_VIOLATION, Action.DELETE),
    ("Диплом любого вуза под ключ, проведём по базе", G.LAW_VIOLATION, Action.DELETE),
    ("Продам пистолет, номер сбит, недорого", G.LAW_VIOLATION, Action.DELETE),
    ("Я тебя найду и убью, запомни", G.LAW_VIOLATION, Action.DELETE),
    ("Завтра к мэрии с арматурой, кто с нами", G.LAW_VIOLATION, Action.DELETE),
    # defamation
    ("Глава города — дебил и мразь", G.DEFAMATION, Action.DELETE),
    ("Ты урод конченый", G.DEFAMATION, Action.DELETE),
    ("Автор, ты идиот?", G.DEFAMATION, Action.DELETE),
    # provocation
    ("Понаехали чурки, житья нет", G.PROVOCATION, Action.DELETE),
    ("Выгнать всех мигрантов из города", G.PROVOCATION, Action.DELETE),
    (
        "Эти узбеки на стройке — паразиты, скоро весь город заполонят, гнать надо",
        G.PROVOCATION,
        Action.DELETE,
    ),
    ("Хачьё с рынка опять весь тротуар заставило", G.PROVOCATION, Action.DELETE),
    ("Мужики, давайте в субботу соберёмся и разберёмся с этими приезжими", G.PROVOCATION, Action.DELETE),
    ("Скоро народ таких на вилы поднимет", G.PROVOCATION, Action.REVIEW),
    ("Армянам квартиры не сдавайте, потом не выселите", G.PROVOCATION, Action.DELETE),
    ("Все беды от мигрантов, это давно понятно", G.PROVOCATION, Action.REVIEW),
    # unverified claims: review, never delete
    ("Говорят, замглавы купил квартиру на деньги за ремонт дорог", G.UNVERIFIED_CLAIM, Action.REVIEW),
    ("Мэр вор, все деньги на асфальт себе в карман положил", G.UNVERIFIED_CLAIM, Action.REVIEW),
]

LAWFUL = [
    "Позор! Опять бардак с вывозом мусора",
    "Чиновники не справляются, дороги в ужасном состоянии",
    "Мэр обещал отремонтировать школу и не сделал",
    "Когда уберут закладчиков из нашего подъезда? Полиция бездействует",
    "Спасибо администрации за новый сквер!",
    "Я не буду голосовать за них на выборах",
    "Сколько стоит проезд в автобусе? Говорят, 35 рублей",
    "Позвоните в ЕДДС по телефону 112",
    "Дмитрий Зиновьевич, когда отремонтируют дорогу на улице Ленина?",
    "Во дворе дома Ленина 12 огромная яма",
    "У нас в классе учатся дети разных национальностей, и все дружат",
    "Армянский ресторан на Ленина — лучшее место в городе",
    "Татарский праздник Сабантуй прошёл в парке, было весело",
    "Маршрут номер 7 ходит раз в час",
    "Ирина Геннадьевна, спасибо за помощь с отоплением",
    "Добавьте, пожалуйста, расписание автобусов на сайт",
    "Администрация, вы вообще читаете комментарии?",
    "Соберёмся в субботу у ДК на субботник, мешки и перчатки выдадут",
    "Когда уже наведут порядок с парковкой у рынка?",
    "Прошу разобраться с управляющей компанией, третий месяц не чинят крышу",
    "Хачапури в новой пекарне на Ленина очень вкусные",
    "Мигрантам нужно строже проверять патенты, а работодателей штрафовать",
    "Во дворе на Ленина опять закладчики ходят, полиция, примите меры",
    "Задержали группу, печатавшую фальшивые деньги, хорошо что поймали",
    "Трамадол без рецепта в аптеке не продают, где выписать рецепт маме?",
    "Где сделать медкнижку официально и сколько это стоит?",
    "Соль на дорогах разъедает обувь, посыпайте лучше песком",
    "Проверить штрафы и права можно по базе ГИБДД на Госуслугах",
    "Хулиганы с битами напали на парня у ДК, где была полиция?",
    "На выборах в горсовет голосуйте за тех, кто отчитывается перед жителями",
    "Видела объявление «права без экзаменов» — это мошенники, не ведитесь",
    "Куда можно сообщить о продаже мефедрона у школы? Не хочу светиться",
    "У соседей кто-то отравил собаку, это же преступление, куда обращаться?",
    "Маме позвонили: «ваш выигрыш ждёт, назовите код». Это мошенники, предупредите своих родителей",
    "Неужели опять бюджет на благоустройство разворовали? Где отчёт?",
    "Вопросы по пособиям принимают на priem@soczashita-gorod.ru, мне ответили",
    "Перекроют улицу Ленина на время парада, имейте в виду",
    "Хорошо бы в сквере сделать аллею воинов-интернационалистов",
    "У остановки вчера избили мужчину, ищут свидетелей — позвоните в полицию, если что-то видели",
]


@pytest.mark.parametrize(
    ("text", "ground", "action"), CASES, ids=[f"{g.value}-{i}" for i, (_, g, _) in enumerate(CASES)]
)
def test_ground_detected(rules_moderator: Moderator, text: str, ground: Ground, action: Action) -> None:
    verdict = rules_moderator.verdict(Comment("c", text))
    assert ground in verdict.grounds, (verdict.scores, [e.rule for e in verdict.evidence])
    assert verdict.action is action


@pytest.mark.parametrize("text", LAWFUL)
def test_lawful_comments_are_kept(rules_moderator: Moderator, text: str) -> None:
    verdict = rules_moderator.verdict(Comment("k", text))
    assert verdict.action is Action.KEEP, (verdict.scores, [e.rule for e in verdict.evidence])


@pytest.mark.parametrize(
    ("comment", "post"),
    [
        (
            "Посоветуйте сериал на вечер, люблю детективы и комедии",
            "С 15 октября начинается отопительный сезон. Подача тепла в дома начнётся поэтапно.",
        ),
        (
            "Рецепт пирога: мука, сахар, яйца, сметана, ванилин, выпекать сорок минут",
            "На улице Советской завершили укладку асфальта.",
        ),
    ],
)
def test_off_topic_is_reviewed_never_deleted(rules_moderator: Moderator, comment: str, post: str) -> None:
    verdict = rules_moderator.verdict(Comment("o", comment, post))
    assert verdict.grounds == (Ground.OFF_TOPIC,)
    assert verdict.action is Action.REVIEW


def test_short_reply_is_not_off_topic(rules_moderator: Moderator) -> None:
    verdict = rules_moderator.verdict(Comment("s", "Спасибо, понятно!", "Отключение воды 12 марта."))
    assert verdict.action is Action.KEEP


@pytest.mark.parametrize(
    "comment",
    [
        "Подскажите, куда звонить, если стояк не прогревается? Трубку никто не берёт",
        "Маршрутка вечно битком и кондуктор хамит, сделайте что-нибудь",
        "задолбали эти ямы честное слово, каждую весну одно и то же",
    ],
)
def test_an_appeal_is_on_the_page_s_topic(rules_moderator: Moderator, comment: str) -> None:
    """A question or a complaint to the administration belongs on its page whatever the post is about."""
    post = "В субботу в парке пройдёт фестиваль уличной еды и концерт местных групп."
    assert rules_moderator.verdict(Comment("a", comment, post)).action is Action.KEEP


@pytest.mark.parametrize(
    ("text", "flood"),
    [
        ("ВСЕМ ЧИТАТЬ ВСЕМ ЧИТАТЬ ВСЕМ ЧИТАТЬ ВСЕМ ЧИТАТЬ", True),
        ("Новости: vk.com/club_novosti_goroda vk.com/club_novosti_goroda vk.com/club_novosti_goroda", True),
        ("ааааааааааааааааааааааааааа", True),
        ("да да да, наконец-то сделали", False),
        ("Спасибо спасибо спасибо!", False),
        ("очень очень очень плохо", False),
    ],
)
def test_flood_goes_to_moderators(rules_moderator: Moderator, text: str, flood: bool) -> None:
    verdict = rules_moderator.verdict(Comment("f", text))
    assert ("spam.flood" in [e.rule for e in verdict.evidence]) is flood
    assert verdict.action is (Action.REVIEW if flood else Action.KEEP)
