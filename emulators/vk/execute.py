"""VK's `execute` as the emulator answers it: up to 25 API calls in one request, in the VKScript Dozor sends.

Only the subset a client needs to batch calls is understood: `return [API.a.b({...}), ...];` or
`return API.a.b({...});`, each argument a JSON object (valid VKScript). As on VK, the request counts once
against the token's rate limit, every call is checked and performed on its own, a failed call answers
`false` in its place and adds an entry to `execute_errors`, and more than 25 calls is a runtime error (13).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulators.vk.model import TokenInfo, VkFault

MAX_CALLS = 25
_CALL = re.compile(r"API\.([A-Za-z]+\.[A-Za-z]+)\(")
_DECODER = json.JSONDecoder()

Call = tuple[str, dict[str, Any]]
Perform = Callable[[str, TokenInfo, dict[str, str]], Any]


@dataclass
class ExecuteAnswer:
    """The body of an execute answer: `response` plus `execute_errors` when some call failed."""

    response: Any
    errors: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"response": self.response}
        if self.errors:
            out["execute_errors"] = self.errors
        return out


def _compile_error(detail: str) -> VkFault:
    return VkFault(12, f"Unable to compile code: {detail}")


def _skip(code: str, pos: int) -> int:
    while pos < len(code) and code[pos].isspace():
        pos += 1
    return pos


def _expect(code: str, pos: int, token: str) -> int:
    pos = _skip(code, pos)
    if not code.startswith(token, pos):
        raise _compile_error(f"expected '{token}' at position {pos}")
    return pos + len(token)


def _one_call(code: str, pos: int) -> tuple[Call, int]:
    pos = _skip(code, pos)
    found = _CALL.match(code, pos)
    if found is None:
        raise _compile_error(f"expected an API call at position {pos}")
    pos = _skip(code, found.end())
    args: Any = {}
    if not code.startswith(")", pos):
        try:
            args, pos = _DECODER.raw_decode(code, pos)
        except json.JSONDecodeError:
            raise _compile_error(f"bad argument object at position {pos}") from None
        if not isinstance(args, dict):
            raise _compile_error("an API call takes one object")
    return (found.group(1), args), _expect(code, pos, ")")


def parse(code: str) -> tuple[list[Call], bool]:
    """The calls in `code`, and whether they were returned as a list."""
    pos = _expect(code, 0, "return")
    pos = _skip(code, pos)
    as_list = code.startswith("[", pos)
    calls: list[Call] = []
    if as_list:
        pos += 1
        while True:
            call, pos = _one_call(code, pos)
            calls.append(call)
            pos = _skip(code, pos)
            if code.startswith("]", pos):
                pos += 1
                break
            pos = _expect(code, pos, ",")
    else:
        call, pos = _one_call(code, pos)
        calls.append(call)
    pos = _skip(code, pos)
    if code.startswith(";", pos):
        pos = _skip(code, pos + 1)
    if pos != len(code):
        raise _compile_error(f"unexpected text at position {pos}")
    return calls, as_list


def wire_params(args: Mapping[str, Any]) -> dict[str, str]:
    """VKScript values as they would arrive on the wire (numbers and booleans as strings)."""
    out: dict[str, str] = {}
    for key, value in args.items():
        if isinstance(value, bool):
            out[key] = "1" if value else "0"
        elif isinstance(value, list):
            out[key] = ",".join(str(item) for item in value)
        else:
            out[key] = str(value)
    return out


def execute(code: str, info: TokenInfo, perform: Perform) -> ExecuteAnswer:
    """Run the calls of `code` one by one with `perform`; failures become `false` and execute_errors."""
    calls, as_list = parse(code)
    if len(calls) > MAX_CALLS:
        raise VkFault(
            13, f"Runtime error occurred during code invocation: too many API calls (over {MAX_CALLS})"
        )
    answer = ExecuteAnswer(response=[])
    for method, args in calls:
        try:
            result = perform(method, info, wire_params(args))
        except VkFault as fault:
            result = False
            answer.errors.append({"method": method, "error_code": fault.code, "error_msg": fault.message})
        answer.response.append(result)
    if not as_list:
        answer.response = answer.response[0]
    return answer
