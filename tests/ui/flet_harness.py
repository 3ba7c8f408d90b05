"""Drive a real Flet ``Page`` headlessly: a fake connection, real session, real diffing.

Adapted from notes/flet-1.0.5.md. It uses Flet internals (Session, Connection, protocol),
which is why pyproject pins ``flet==1.0.5``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import flet as ft
import msgpack
from flet.components.public_utils import unwrap_component
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page, context
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    Message,
    MessageAction,
    RegisterClientResponseBody,
    configure_encode_object_for_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

from views.context import NO_BREAK_SPACE, WORD_JOINER


class FakeConnection(Connection):
    def __init__(self) -> None:
        super().__init__()
        self.pubsubhub = PubSubHub()
        self.sent: list[Message] = []
        self.on_invoke = None

    def send_message(self, message: Message) -> None:
        # Serialise as flet_web does: the encoder records the snapshots the next diff uses.
        msgpack.packb(
            [message.action, message.body],
            default=configure_encode_object_for_msgpack(BaseControl),
        )
        self.sent.append(message)
        if message.action == MessageAction.INVOKE_METHOD and self.on_invoke:
            asyncio.get_running_loop().create_task(self.on_invoke(message.body))


class FletHarness:
    """One browser session: ``await start(main)``, then click, type, route and look."""

    def __init__(self, route: str = "/", width: int = 1280, height: int = 900) -> None:
        self.conn = FakeConnection()
        self.conn.page_url = "http://127.0.0.1:8550"
        self.session = Session(self.conn)
        self.conn.on_invoke = self._fake_client_method
        self.page: ft.Page = self.session.page
        self.invoked: list[str] = []
        self.invocations: list[tuple[str, dict]] = []  # (method, its arguments)
        self.session.apply_page_patch(
            {"route": route, "width": width, "height": height, "platform": "linux", "web": True}
        )
        self.conn.send_message(
            Message(
                MessageAction.REGISTER_CLIENT,
                RegisterClientResponseBody(
                    session_id=self.session.id,
                    page_patch=self.session.get_page_patch(),
                    error="",
                ),
            )
        )

    async def _fake_client_method(self, body) -> None:
        """Answer client-side calls as Flutter would (route pushes fire route_change)."""
        self.invoked.append(body.name)
        self.invocations.append((body.name, body.args))
        self.session.handle_invoke_method_results(body.control_id, body.call_id, None, None)
        if body.name == "push_route":
            await self.route(body.args["route"])

    async def settle(self, n: int = 5) -> None:
        for _ in range(n):
            await asyncio.sleep(0.01)
        for view in self.page.views:
            assert_lays_out(view)

    async def start(self, main) -> FletHarness:
        self.conn.loop = asyncio.get_running_loop()
        self.conn.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="harness")
        _context_page.set(self.page)
        context.reset_auto_update()
        if inspect.iscoroutinefunction(main):
            await main(self.page)
        else:
            main(self.page)
        await self.session.after_event(self.page)
        await self.settle()
        return self

    async def wait_until(self, predicate, timeout: float = 20.0) -> None:
        """Let background work (page.run_thread) finish: poll ``predicate`` until it holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise TimeoutError("condition not reached")
            await asyncio.sleep(0.02)
        await self.settle()

    async def event(self, control: BaseControl, name: str, data=None) -> None:
        await self.session.dispatch_event(control._i, name, data)
        await self.settle()

    async def click(self, control: BaseControl | str) -> None:
        await self.event(self._c(control), "click")

    async def type_text(self, tf: BaseControl | str, text: str) -> None:
        tf = self._c(tf)
        self.session.apply_patch(tf._i, {"value": text})
        await self.event(tf, "change", text)

    async def submit(self, tf: BaseControl | str) -> None:
        await self.event(self._c(tf), "submit")

    async def blur(self, tf: BaseControl | str) -> None:
        await self.event(self._c(tf), "blur")

    async def slide(self, slider: BaseControl | str, value: float) -> None:
        slider = self._c(slider)
        self.session.apply_patch(slider._i, {"value": value})
        await self.event(slider, "change", str(value))
        await self.event(slider, "change_end", str(value))

    async def select(self, control: BaseControl | str, value) -> None:
        """A Checkbox/Switch/Chip/Dropdown/SegmentedButton change from the client."""
        control = self._c(control)
        if isinstance(control, ft.SegmentedButton):
            self.session.apply_patch(control._i, {"selected": value})
            await self.event(control, "change", value)
        elif isinstance(control, ft.Chip):
            self.session.apply_patch(control._i, {"selected": value})
            await self.event(control, "select", value)
        elif isinstance(control, ft.Dropdown):
            self.session.apply_patch(control._i, {"value": value})
            await self.event(control, "select", value)
        else:
            self.session.apply_patch(control._i, {"value": value})
            await self.event(control, "change", value)

    async def route(self, route: str) -> None:
        self.session.apply_page_patch({"route": route})
        await self.event(self.page, "route_change", {"route": route})

    async def resize(self, width: int, height: int) -> None:
        self.session.apply_page_patch({"width": width, "height": height})
        await self.event(self.page, "resize", {"width": width, "height": height})

    async def back(self) -> None:
        """The system back button / AppBar back arrow: a view_pop of the top view."""
        top = self.views[-1]
        await self.event(self.page, "view_pop", {"route": top.route})

    @property
    def views(self) -> list[ft.View]:
        return [unwrap_component(v) for v in unwrap_component(self.page.views)]

    @property
    def top(self) -> ft.View:
        return self.views[-1]

    def _c(self, control: BaseControl | str) -> BaseControl:
        return self.find(control) if isinstance(control, str) else control

    def find(self, key: str, root=None) -> BaseControl:
        """The control keyed ``key``; else the content of the Semantics identified so (views
        leave keys off controls whose place in a list is reused for another item)."""
        for c in walk(root if root is not None else self.top):
            if _key(c) == key:
                return c
        for c in walk(root if root is not None else self.top):
            if isinstance(c, ft.Semantics) and c.identifier == key:
                return c.content
        raise LookupError(key)

    def find_ids(self, prefix: str, root=None) -> list[str]:
        """Semantics identifiers starting with ``prefix``, in page order."""
        return [
            c.identifier
            for c in walk(root if root is not None else self.top)
            if isinstance(c, ft.Semantics) and (c.identifier or "").startswith(prefix)
        ]

    def find_all(self, prefix: str, root=None) -> list[BaseControl]:
        return [
            c
            for c in walk(root if root is not None else self.top)
            if isinstance(_key(c), str) and _key(c).startswith(prefix)
        ]

    def has(self, key: str) -> bool:
        try:
            self.find(key)
        except LookupError:
            return False
        return True

    def texts(self, root=None) -> list[str]:
        """The strings of every Text, as a reader sees them (no invisible word joiners)."""
        out = []
        for c in walk(root if root is not None else self.top):
            if isinstance(c, ft.Text):
                if c.value:
                    out.append(visible(str(c.value)))
                for span in c.spans or []:
                    out.append(visible(str(span.text)))
        return out

    def value(self, key: str) -> str:
        """The value of the control ``key``, as a reader sees it."""
        return visible(str(self.find(key).value))

    def text(self, root=None) -> str:
        return "\n".join(self.texts(root))

    def drawn_order(self, *keys: str) -> list[str]:
        """Which of ``keys`` the screen shows, in the order it draws them (top to bottom on
        a phone, where every column is one)."""
        return [k for c in walk(self.top) if (k := _key(c)) in keys]

    def identifiers(self, root=None) -> set[str]:
        return {
            c.identifier
            for c in walk(root if root is not None else self.top)
            if isinstance(c, ft.Semantics) and c.identifier
        }


def _key(c) -> object:
    k = getattr(c, "key", None)
    return getattr(k, "value", k)


def visible(text: str) -> str:
    """``text`` as read: without the word joiners and no-break spaces that keep dates and
    figures on one line."""
    return text.replace(WORD_JOINER, "").replace(NO_BREAK_SPACE, " ")


def walk(control) -> Iterator[BaseControl]:
    seen: set[int] = set()
    stack = [control]
    while stack:
        c = stack.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        if isinstance(c, (list, tuple)):
            stack.extend(reversed(c))
            continue
        if type(c).__name__ == "Component":
            stack.append(c._b)
            continue
        if isinstance(c, ft.BaseControl):
            yield c
            children = []
            for f in dataclasses.fields(c):
                if f.name.startswith("_") or f.name in ("data", "ref"):
                    continue
                v = getattr(c, f.name, None)
                if isinstance(v, (ft.BaseControl, list, tuple)):
                    children.append(v)
            stack.extend(reversed(children))


def assert_lays_out(root) -> None:
    """Fail on a layout Flutter cannot draw, which it shows as a grey box or nothing at all
    while the Python side knows nothing of it: a child that expands inside a Row that wraps
    (Flutter's Wrap takes no Expanded) or scrolls (no bounded width to share out)."""
    for c in walk(root):
        if isinstance(c, ft.Row) and (c.wrap or c.scroll):
            for child in c.controls:
                assert not child.expand, (
                    f"{type(child).__name__} {_key(child)!r} expands inside a Row that "
                    f"{'wraps' if c.wrap else 'scrolls'} ({_key(c)!r})"
                )
