"""A ready-made city page for the out-of-the-box demo, and `python -m emulators.vk.demo` to serve it.

The comments are a realistic mix for a municipal page: lawful criticism that must be kept beside obscenity,
spam, advertising and personal data that must go. The tokens are demo strings, not secrets.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from emulators.vk.server import VkEmulator


@dataclass(frozen=True, slots=True)
class DemoPage:
    group_id: int
    manager_id: int
    manager_token: str
    community_token: str
    service_token: str
    post_ids: tuple[int, ...]


DEMO_GROUP = 170_001
DEMO_MANAGER = 501
POSTS = (
    ("photo", "С 1 декабря начинается ремонт теплотрассы на улице Калинина. Просим отнестись с пониманием."),
    ("poll", "Опрос: где в первую очередь благоустроить сквер в 2027 году?"),
    ("text", "График приёма граждан главой города на декабрь. Запись по телефону приёмной."),
)
COMMENTS = (
    (7001, "Когда наконец починят дорогу на Тракторной? Позор, третий год обещаете."),
    (7002, "Спасибо администрации за оперативную работу!"),
    (7003, "Да вы там все о***ли, б***ь, опять без отопления"),
    (7004, "Заработок от 5000 в день без вложений! Пишите в личку t.me/easy_money"),
    (7005, "Сосед с Ленина 12 кв 45 Иванов Пётр, телефон +7 913 123-45-67, разберитесь с ним"),
    (7006, "Голосуйте за мою фотографию в конкурсе, ссылка в профиле!"),
)


# Made-up citizens (no real person's data): the authors of the seeded comments and of the scripted stream.
PEOPLE = {
    7001: ("Алексей", "Морозов"),
    7002: ("Татьяна", "Белова"),
    7003: ("Игорь", "Зайцев"),
    7004: ("Денис", "Орлов"),
    7005: ("Пётр", "Сидоров"),
    7006: ("Ксения", "Лебедева"),
    7101: ("Марина", "Кравченко"),
    7102: ("Виктор", "Гусев"),
    7103: ("Николай", "Павлов"),
    7104: ("Ремонт", "Потолков"),
    7105: ("Елена", "Фомина"),
    7106: ("Ольга", "Тихонова"),
}


def seed_demo(emu: VkEmulator, now: datetime | None = None) -> DemoPage:
    """Fill the emulator with one administration page, its manager, three posts and six comments."""
    now = now or datetime.now(UTC)
    emu.add_group(
        DEMO_GROUP,
        "Администрация города Рубцовска",
        screen_name="rubtsovsk_adm",
        description="Официальная страница Администрации города Рубцовска Алтайского края.",
        phones=("+7 (38557) 9-64-01",),
        emails=("office@rubtsovsk.org",),
        addresses=("658200, Алтайский край, г. Рубцовск, пр-т Ленина, 130",),
        site="https://rubtsovsk.org",
        token="demo-community-token",
    )
    emu.add_manager(DEMO_GROUP, DEMO_MANAGER, "administrator", token="demo-manager-token")
    emu.add_token("demo-service-token", "service")
    for user_id, (first, last) in PEOPLE.items():
        emu.add_user(user_id, first, last)
    post_ids = tuple(
        emu.add_post(DEMO_GROUP, text, kind=kind, date=now - timedelta(hours=len(POSTS) - i))  # type: ignore[arg-type]
        for i, (kind, text) in enumerate(POSTS)
    )
    for n, (author, text) in enumerate(COMMENTS):
        emu.add_comment(DEMO_GROUP, post_ids[n % len(post_ids)], author, text)
    return DemoPage(
        DEMO_GROUP, DEMO_MANAGER, "demo-manager-token", "demo-community-token", "demo-service-token", post_ids
    )


def main() -> None:
    """Serve the demo page until interrupted; print where and with which tokens."""
    logging.basicConfig(level=logging.INFO)
    with VkEmulator() as emu:
        page = seed_demo(emu)
        print(f"VK emulator at {emu.base_url}; group {page.group_id}")
        print(f"tokens: manager={page.manager_token} community={page.community_token}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
