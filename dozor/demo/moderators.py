"""The demonstration's moderators at work in Telegram: a card as they see it, an outsider refused, decisions
on every card waiting, one of them taken back and taken again, an automatic deletion restored from its report
(and its author's ban lifted), a report accepted, and the week's figures asked for in the chat.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rich.console import Console

WAIT = 45.0


async def _until(check: Any, timeout: float = WAIT) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


def _buttons(message: Any) -> list[str]:
    rows = (message.payload.get("reply_markup") or {}).get("inline_keyboard", [])
    return [str(b["text"]) for row in rows for b in row]


class Moderators:
    """Presses buttons in the emulated moderators' chat and prints what the bot answers."""

    def __init__(self, world: Any) -> None:
        self.tg = world.tg
        self.pages = world.tg_pages
        self.chat = world.tg_pages.moderators_chat
        self.console: Console = world.console

    def messages(self) -> list[Any]:
        return list(self.tg.sent_by_bots(self.chat))

    async def press(self, message: Any, button: str, user: Any = None) -> str:
        query = self.tg.press_button(message, user or self.pages.moderator, text=button)
        await _until(lambda: self.tg.answer_to(query) is not None, 10.0)
        return str(self.tg.answer_to(query) or "")

    def show(self, message: Any, title: str) -> None:
        self.console.print(f"[bold]{title}[/bold]")
        for line in (message.text or "").splitlines():
            self.console.print(f"  │ {line}", highlight=False)
        buttons = _buttons(message)
        if buttons:
            self.console.print("  │ кнопки: " + " · ".join(f"[{b}]" for b in buttons), highlight=False)


async def moderators_act(world: Any) -> None:
    """Everything a moderator does with the day's queue."""
    team = Moderators(world)
    cards = [m for m in team.messages() if (m.text or "").startswith("🛡") and _buttons(m)]
    if not cards:
        return
    world.console.rule("Модераторы в Telegram")
    team.show(cards[0], "Карточка, как её видят модераторы:")
    answer = await team.press(cards[0], _buttons(cards[0])[0], team.pages.outsider)
    team.console.print(f"  посторонний нажал кнопку → ответ бота: «{answer}»")
    for card in cards:
        choice = _choose(card)
        answer = await team.press(card, choice)
        team.console.print(f"  Мария Иванова: «{choice}» → «{answer}»")
    await _take_back(team, cards[-1])
    await _reports(team)
    asked = team.tg.say(team.chat, team.pages.moderator, "/week")
    if await _until(lambda: team.tg.replies_to(asked), 10.0):
        team.show(team.tg.replies_to(asked)[0], "Модератор спросил /week:")


async def _take_back(team: Moderators, card: Any) -> None:
    """A decision taken back within the window reopens the card; the moderator decides again."""
    if "↩️ Отменить решение" not in _buttons(card):
        return
    answer = await team.press(card, "↩️ Отменить решение", team.pages.second_moderator)
    team.console.print(f"  Сергей Кузнецов: «Отменить решение» → «{answer}»")
    await _until(lambda: "Оставить" in _buttons(card), 10.0)
    choice = _choose(card)
    answer = await team.press(card, choice)
    team.console.print(f"  Мария Иванова решает заново: «{choice}» → «{answer}»")


async def _reports(team: Moderators) -> None:
    """Automatic deletions come as reports: one deletion restored (its ban lifted), the report accepted."""
    team.console.print("  [dim]автоматические удаления собираются в сводки по странице…[/dim]")
    if not await _until(lambda: any(_is_report(m) for m in team.messages())):
        return
    report = next(m for m in team.messages() if _is_report(m) and any(b.startswith("↺") for b in _buttons(m)))
    team.show(report, "Сводка автоматических удалений:")
    restore = next(b for b in _buttons(report) if b.startswith("↺"))
    answer = await team.press(report, restore)
    team.console.print(f"  Мария Иванова: «{restore}» → «{answer}»")
    number = re.sub(r"\D", "", restore)
    await _until(lambda: f"↩️ {number} Отменить решение" in _buttons(report), 20.0)
    answer = await team.press(report, "☑️ Принято")
    team.console.print(f"  Мария Иванова: «Принято» → «{answer}»")
    await _until(lambda: "выполняется" not in (report.text or ""), 20.0)  # redrawn once the actions ran
    team.show(report, "Сводка после решений (состояние перечитано из ВКонтакте):")


def _is_report(message: Any) -> bool:
    return (message.text or "").startswith("🗑 Удалено автоматически")


def _choose(card: Any) -> str:
    """A plausible moderator: keeps lawful review items, deletes the rest."""
    text = card.text or ""
    buttons = _buttons(card)
    if "сериал" in text or "Говорят" in text:
        return next(b for b in buttons if b.startswith("Оставить"))
    return next(b for b in buttons if b.startswith("Удалить"))
