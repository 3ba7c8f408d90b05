"""Small shared widgets: semantics wrappers, money, the demo marker, the deal bar."""

from __future__ import annotations

from decimal import Decimal

import flet as ft

from app.state import TRADE_IN_FIELD, typed_trade_in
from domain.errors import InputError
from views.context import N_ as N_  # re-exported: the views mark their texts with it
from views.context import ViewContext


def sem(key: str, control: ft.Control, label: str | None = None) -> ft.Semantics:
    """A stable identifier for browser tests and screen readers (flt-semantics-identifier).
    A dropdown is named by its label and choice unless ``label`` says otherwise: Flutter's
    dropdown menu gives a screen reader a nameless "button, collapsed"."""
    control.key = key
    if label is None and isinstance(control, ft.Dropdown) and control.label:
        chosen = next((o.text for o in control.options or () if o.key == control.value), None)
        label = f"{control.label}: {chosen}" if chosen else str(control.label)
    return ft.Semantics(identifier=key, label=label, content=control)


def money_text(
    ctx: ViewContext,
    amount: Decimal,
    *,
    key: str | None = None,
    size=None,
    weight=None,
    whole: bool = False,
    color=None,
) -> ft.Text:
    return ft.Text(
        ctx.money(amount, whole=whole),
        key=key,
        size=size,
        weight=weight,
        color=color,
        text_align=ft.TextAlign.RIGHT,
    )


def demo_badge(ctx: ViewContext) -> ft.Control:
    """Marks demo data on every screen so nobody takes a made-up rate for a real offer."""
    if not ctx.services.demo_market:
        return ft.Container(width=8)  # the badge's own margin: the last action off the edge
    return ft.Semantics(
        identifier="demo-badge",
        label=ctx.t("Demo data"),
        content=ft.Container(
            key="demo-badge",
            content=ft.Text(
                ctx.t("Demo data"),
                size=12,
                weight=ft.FontWeight.BOLD,
                color=ft.Colors.ON_TERTIARY_CONTAINER,
            ),
            bgcolor=ft.Colors.TERTIARY_CONTAINER,
            padding=ft.Padding.symmetric(horizontal=10, vertical=4),
            border_radius=12,
            margin=ft.Margin.only(left=8, right=8),  # off the action before it, and the edge
        ),
    )


def toggle_compare(ctx: ViewContext, car_id: str) -> None:
    """Add a car to the comparison or take it out; a fourth is refused with a word why (the
    screen shows it with its ``notice_line``)."""
    if not ctx.state.toggle_compare(car_id):
        ctx.tell(ctx.t("You can compare up to three cars: remove one first."), error=True)


def car_gone(ctx: ViewContext) -> ft.Control:
    """What a car's page and its rate check say once the car is off sale (or unknown)."""
    return empty_state(
        "car-missing",
        ft.Icons.SEARCH_OFF,
        ctx.t("This car is no longer listed."),
        ft.TextButton(ctx.t("Back to cars"), on_click=lambda e: ctx.go("/cars")),
    )


def compare_path(car_ids: list[str]) -> str:
    """The Compare screen's address for ``car_ids``, in their order: ``/compare/<id>,<id>``
    (``/compare`` for none), so a bookmark, a shared link or a reload shows the same cars."""
    return "/compare/" + ",".join(car_ids) if car_ids else "/compare"


def notice_line(ctx: ViewContext, key: str) -> ft.Control | None:
    """The notice given on this screen, if any: an error in the error colour."""
    notice = ctx.state.notice
    if notice is None or notice.route != ctx.path:
        return None
    colour = ft.Colors.ERROR if notice.error else ft.Colors.ON_SURFACE
    return ft.Text(notice.text, color=colour, key=key, selectable=notice.error)


def section_title(text: str, key: str | None = None) -> ft.Text:
    return ft.Text(text, key=key, size=18, weight=ft.FontWeight.W_600)


def panel(controls: list[ft.Control], *, key: str | None = None, spacing: int = 8) -> ft.Container:
    """One task or one set of figures on a tinted, rounded surface, set apart from the
    screen's others."""
    return ft.Container(
        ft.Column(controls, spacing=spacing),
        key=key,
        padding=14,
        border_radius=12,
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
    )


#: The widest a form or a column of prose is drawn (px): wider, lines get too long to read.
READING_WIDTH = 880


def content_column(
    controls: list[ft.Control], *, key: str, spacing: int = 12, max_width: int = READING_WIDTH
) -> ft.Column:
    """A screen's column at most ``max_width`` wide: the whole width on a phone, the room a
    tablet or a desktop has up to that (a fixed width is clamped to a narrower window)."""
    return ft.Column(controls, spacing=spacing, key=key, width=max_width)


def field_pairs(fields: list[ft.Control], *, key: str) -> ft.ResponsiveRow:
    """Form fields two side by side from a tablet up (768 px), one a row on a phone; each
    takes its half's whole width."""
    return ft.ResponsiveRow(
        [ft.Container(f, col={"xs": 12, "md": 6}) for f in fields],
        spacing=16, run_spacing=12, key=key,
    )  # fmt: skip


def per_row(ctx: ViewContext, min_width: int, most: int) -> int:
    """How many items at least ``min_width`` px wide fit side by side in the screen's body,
    at most ``most``; one on a phone."""
    if not ctx.wide:
        return 1
    return max(1, min(most, int(ctx.content_width // min_width)))


def equal_rows(items: list[ft.Control], per: int, *, key: str, spacing: int = 12) -> ft.Column:
    """``items`` in rows of ``per``, every item of a row stretched to the tallest one's
    height, and a short last row's gaps kept empty so every item has the same width. One
    a row (a phone): a column of items the screen's width."""
    if per <= 1:
        return ft.Column(
            items, spacing=spacing, key=key, horizontal_alignment=ft.CrossAxisAlignment.STRETCH
        )
    rows = []
    for start in range(0, len(items), per):
        chunk = items[start : start + per]
        for item in chunk:
            item.expand = 1
        chunk += [ft.Container(expand=1) for _ in range(per - len(chunk))]
        # the row takes its tallest item's height (IntrinsicHeight), which STRETCH gives all
        rows.append(ft.Row(
            chunk, spacing=spacing, intrinsic_height=True, key=f"{key}-row-{start // per}",
            vertical_alignment=ft.CrossAxisAlignment.STRETCH,
        ))  # fmt: skip
    return ft.Column(rows, spacing=spacing, key=key)


def top_and_bottom(top: list[ft.Control], bottom: ft.Control, spacing: int) -> ft.Column:
    """A card's lines with its actions at the card's foot: in a row of cards stretched to
    one height, every card's actions line up (where the height is its own, no gap)."""
    return ft.Column(
        [ft.Column(top, spacing=spacing), bottom],
        spacing=spacing,
        alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
    )


def fill_or_scroll(
    ctx: ViewContext, table: ft.Control, min_width: int, max_width: int | None = None
) -> ft.Control:
    """A table across its column's whole width (up to ``max_width``) where the screen's body
    has ``min_width`` px for it; in a narrower window at its own width, scrolled sideways."""
    if ctx.content_width >= min_width:
        return ft.Column(
            [table], width=max_width, horizontal_alignment=ft.CrossAxisAlignment.STRETCH
        )
    return ft.Row([table], scroll=ft.ScrollMode.AUTO)


def empty_state(key: str, icon, message: str, action: ft.Control | None = None) -> ft.Control:
    """An empty screen says what to do next."""
    items: list[ft.Control] = [
        ft.Icon(icon, size=48, color=ft.Colors.OUTLINE),
        ft.Text(message, key=f"{key}-text", text_align=ft.TextAlign.CENTER, size=16),
    ]
    if action is not None:
        items.append(action)
    return ft.Container(
        key=key,
        content=ft.Column(items, horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=12),
        alignment=ft.Alignment.CENTER,
        padding=32,
    )


def busy_row(ctx: ViewContext, task: str) -> ft.Control | None:
    message = ctx.state.busy.get(task)
    if message is None:
        return None
    return ft.Row(
        [ft.ProgressRing(width=20, height=20, key=f"busy-{task}"), ft.Text(ctx.t(message))],
        key=f"busy-row-{task}",
    )


def deal_bar(
    ctx: ViewContext, price: Decimal | None = None, *, narrow: bool = False, trade_in: bool = True
) -> ft.Control:
    """The persistent deal: down payment share and term. Changing it re-prices every figure.
    ``price``: the car's, when there is one car, to show the down payment in money too.
    ``narrow``: the bar sits in a narrow column (a form), whatever the window's width: its
    row's breakpoints follow the window, so it lays out as on a small one. ``trade_in``:
    with the trade-in field (not where a form asks for it itself)."""
    deal = ctx.state.deal
    pct = int(deal.down_ratio * 100)
    # 70% in 5% steps; further only when a what-if hint asked for more
    top = max(70, -(-pct // 5) * 5)
    label = ctx.t("Down payment {pct}%", pct=pct)
    if price is not None:
        label = ctx.t("Down payment {pct}% · {amount}", pct=pct,
                      amount=ctx.money(deal.down_payment(price), whole=True))  # fmt: skip

    def on_down(e: ft.Event[ft.Slider]) -> None:
        ctx.state.set_deal(down_ratio=Decimal(str(e.control.value)).quantize(Decimal(1)) / 100)

    def on_term(e: ft.Event[ft.SegmentedButton]) -> None:
        if e.control.selected:
            ctx.state.set_deal(term=int(e.control.selected[0]))

    down = ft.Column(
        [
            ft.Text(label, key="deal-down-label", size=13),
            sem(
                "deal-down",
                ft.Slider(
                    min=0,
                    max=top,
                    divisions=top // 5,
                    value=pct,
                    label="{value}%",
                    on_change_end=on_down,
                ),
                label=ctx.t("Down payment"),
            ),
        ],
        spacing=0,
        expand=True,
    )
    term = ft.Column(
        [
            ft.Text(ctx.t("Term (months)"), size=13),
            sem(
                "deal-term",
                ft.SegmentedButton(
                    segments=[
                        ft.Segment(value=str(n), label=ft.Text(str(n))) for n in ctx.state.TERMS
                    ],
                    selected=[str(deal.term)],
                    show_selected_icon=False,
                    on_change=on_term,
                ),
                label=ctx.t("Term (months)"),
            ),
        ],
        spacing=4,
    )
    if narrow:  # the down payment on a row of its own, the term (and trade-in) below it
        cols = [{"xs": 12}, {"xs": 12, "sm": 7} if trade_in else {"xs": 12}, {"xs": 12, "sm": 5}]
    else:
        cols = [{"xs": 12, "md": 5}, {"xs": 12, "sm": 7, "md": 4}, {"xs": 12, "sm": 5, "md": 3}]
    parts = [down, term, *([trade_in_field(ctx)] if trade_in else [])]
    body = ft.ResponsiveRow(
        [ft.Container(part, col=col) for part, col in zip(parts, cols, strict=False)],
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )
    return ft.Container(
        body,
        key="deal-bar",
        padding=ft.Padding.symmetric(horizontal=12, vertical=6),
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
        border_radius=12,
    )


def note_with_action(
    body: ft.Control, action: ft.Control | list[ft.Control], bgcolor
) -> ft.Container:
    """A note and the buttons acting on it, under it: beside it a phone has no room, and a
    Row that wraps cannot hold text that expands (Flutter draws a grey box). One button sits
    at the right; several wrap from the left on a narrow phone."""
    several = isinstance(action, list)
    actions = ft.Row(
        action if several else [action], alignment=ft.MainAxisAlignment.END, wrap=several,
        spacing=0,
    )  # fmt: skip
    return ft.Container(
        ft.Column([body, actions], spacing=0),
        bgcolor=bgcolor,
        padding=12,
        border_radius=12,
    )


def folded_deal_bar(ctx: ViewContext) -> ft.Control:
    """The deal bar as a phone shows it above a list of cars: one line saying the deal every
    figure below is priced at, opening the whole bar on a tap, so the first screen shows cars.
    It stays open while the trade-in has an error, so the error is seen."""
    state = ctx.state
    is_open = DEAL_OPEN in state.expanded or TRADE_IN_FIELD in state.prequal.errors
    deal = state.deal
    summary = ctx.t("Down payment {pct}% · {term} months",
                    pct=int(deal.down_ratio * 100), term=deal.term)  # fmt: skip
    if state.trade_in:
        summary += " · " + ctx.t("trade-in {amount}", amount=ctx.money(state.trade_in, whole=True))

    def toggle(e) -> None:
        state.expanded ^= {DEAL_OPEN}
        state.notify()

    line = ft.Container(
        ft.Row(
            [
                ft.Icon(ft.Icons.CALCULATE_OUTLINED, size=20, color=ft.Colors.PRIMARY),
                ft.Text(summary, key="deal-summary", expand=True, size=13),
                sem("deal-edit", ft.TextButton(
                    ctx.t("Done") if is_open else ctx.t("Change"),
                    icon=ft.Icons.EXPAND_LESS if is_open else ft.Icons.EXPAND_MORE,
                    on_click=toggle,
                ), label=ctx.t("Change the down payment, term or trade-in")),
            ],
            spacing=8,
        ),
        padding=ft.Padding.only(left=12, right=4),
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
        border_radius=12,
        key="deal-folded",
    )  # fmt: skip
    return ft.Column([line, deal_bar(ctx)], spacing=6) if is_open else line


#: The flag in ``AppState.expanded`` of a phone's opened deal bar.
DEAL_OPEN = "deal-bar"


def trade_in_field(ctx: ViewContext) -> ft.Control:
    """The buyer's car traded in (置换), counted in every figure of the deal: the same value
    as the prequalification form's field (typed in either, shown in both), checked when the
    buyer leaves the field."""
    draft = ctx.state.prequal
    error = draft.errors.get("trade_in")

    def changed(e) -> None:
        draft.values["trade_in"] = e.control.value or ""

    def done(e) -> None:
        try:
            typed_trade_in(draft.values)
            draft.errors.pop("trade_in", None)
        except InputError as exc:
            draft.errors["trade_in"] = exc
        ctx.state.notify()

    trade_in = ctx.state.trade_in
    return sem("deal-trade-in", ft.TextField(
        label=ctx.t("Trade-in (¥)"), value=draft.values.get("trade_in", ""), dense=True,
        keyboard_type=ft.KeyboardType.NUMBER, on_change=changed, on_blur=done, on_submit=done,
        error=ctx.error(error) if error else None,
        helper=ctx.t("Counted in every figure") if trade_in else None,
    ), label=ctx.t("Trade-in (¥)"))  # fmt: skip


def language_switch(ctx: ViewContext, key: str = "language") -> ft.Control:
    """中文 / English, switchable at run time; every screen re-renders in the new language."""

    def on_change(e: ft.Event[ft.SegmentedButton]) -> None:
        if e.control.selected:
            ctx.state.set_locale(e.control.selected[0])

    return sem(
        key,
        ft.SegmentedButton(
            segments=[
                ft.Segment(value=code, label=ft.Text(name))
                for code, name in ctx.i18n.LANGUAGE_NAMES.items()
            ],
            selected=[ctx.locale],
            show_selected_icon=False,
            on_change=on_change,
        ),
        label=ctx.t("Language"),
    )


def car_picture(ctx: ViewContext, vehicle, *, width: int, height: int, colour=None) -> ft.Control:
    """The car's drawn picture, or a car icon when it has none."""
    fallback = ft.Icon(ft.Icons.DIRECTIONS_CAR_FILLED, size=min(width, height), color=colour)
    svg = ctx.services.picture(vehicle)
    if not svg:
        return fallback
    return ft.Image(
        src=svg, width=width, height=height, fit=ft.BoxFit.CONTAIN, error_content=fallback
    )


def indicative_rate_note(ctx: ViewContext, rate: Decimal, key: str) -> ft.Text:
    """Figures before the soft check are at the market's reference rate: say so."""
    return ft.Text(
        ctx.t(
            "Monthly figures at an indicative {rate} APR; your own rate comes with the check.",
            rate=ctx.rate(rate),
        ),
        size=12,
        color=ft.Colors.ON_SURFACE_VARIANT,
        key=key,
    )


#: The confirm button of an action that drops or ends something: the error colours, not the
#: primary ones every "go on" button has.
DESTRUCTIVE = ft.ButtonStyle(bgcolor=ft.Colors.ERROR, color=ft.Colors.ON_ERROR)
#: the button that asks for such an action: in the error colour, set apart from the rest
ASKS_DESTRUCTIVE = ft.ButtonStyle(color=ft.Colors.ERROR, icon_color=ft.Colors.ERROR)


def ask_twice(
    ctx: ViewContext,
    flag: str,
    ids: tuple[str, str, str, str],
    *,
    ask: str,
    consequence: str,
    confirm: str,
    on_confirm,
    disabled: bool = False,
    icon=ft.Icons.BLOCK,
) -> list[ft.Control]:
    """An action that says what it changes before it does it: ``ask`` (a button) opens
    ``consequence`` with "Cancel" and ``confirm``; whether it is open is ``flag`` in the
    state's ``expanded``. ``ids``: the identifiers of the ask button, the consequence,
    "Cancel" and the confirm button; both buttons have the error colours: every action asked
    twice drops or ends something."""
    ask_id, consequence_id, keep_id, confirm_id = ids

    def toggle(e) -> None:
        ctx.state.expanded ^= {flag}
        ctx.state.notify()

    if flag not in ctx.state.expanded:
        return [sem(ask_id, ft.TextButton(ask, icon=icon, on_click=toggle, style=ASKS_DESTRUCTIVE))]
    return [
        ft.Text(consequence, size=13, color=ft.Colors.ERROR, key=consequence_id),
        ft.Row([
            sem(keep_id, ft.TextButton(ctx.t("Cancel"), on_click=toggle)),
            sem(confirm_id, ft.FilledButton(confirm, disabled=disabled, on_click=on_confirm,
                                            style=None if disabled else DESTRUCTIVE)),
        ], wrap=True),
    ]  # fmt: skip
