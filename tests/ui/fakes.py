"""A minimal services double for the shell tests that need no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.state import SessionUser


@dataclass
class FakeSyncInfo:
    pending: int = 0
    last_sync: datetime | None = None
    server_url: str | None = None
    error: str | None = None


@dataclass
class FakeServices:
    demo_mode: bool = True
    users: list[SessionUser] = field(
        default_factory=lambda: [
            SessionUser("b1", "王小明", "buyer"),
            SessionUser("s1", "李娜", "staff", dealer_id="d1", dealer_name="示例汽车城"),
        ]
    )
    resets: int = 0

    def demo_users(self) -> list[SessionUser]:
        return list(self.users)

    def sync_status(self) -> FakeSyncInfo:
        return FakeSyncInfo(pending=2)

    def sync_now(self) -> None:
        raise AssertionError("no server in demo mode")

    def reset_demo(self) -> None:
        self.resets += 1
