"""The status bar says the fast renderer is being prepared while its kernels compile in a
separate process, and the editor keeps working meanwhile (readiness faked: nothing compiles)."""

from __future__ import annotations

import threading

import pytest

from lbie_desktop.core.fast import warm
from lbie_desktop.core.fast.readiness import FAST, State
from tests.gui.conftest import WAIT_MS, run_request, shown

PREPARING = "Preparing the fast renderer"


class _FakeWarmUp:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def fake_warm_up(monkeypatch):
    """warm.start only moves the process's readiness to WARMING; the test moves it on."""
    started: list[_FakeWarmUp] = []

    def start(readiness):
        readiness.set(State.WARMING)
        started.append(_FakeWarmUp())
        return started[-1]

    monkeypatch.setattr(warm, "start", start)
    yield started
    FAST.set(State.COLD)


def _from_another_thread(state: State, reason: str = "") -> None:
    t = threading.Thread(target=FAST.set, args=(state, reason))  # as the warm-up's waiter does
    t.start()
    t.join()


def _note(window) -> str:
    note = window.status.note
    return note.text() if note.isVisible() else ""


def test_note_shows_while_warming_and_goes_when_ready(window, qtbot, fake_warm_up,
                                                     monkeypatch):
    from lbie_desktop.core import render

    fast_flags: list[bool] = []  # what each render planned: fast units or reference ones
    plan = render.plan_units
    monkeypatch.setattr(render, "plan_units",
                        lambda steps, fast=True: fast_flags.append(fast) or plan(steps, fast))
    assert _note(window) == ""
    window.warm_up_renderer()
    assert len(fake_warm_up) == 1
    qtbot.waitUntil(lambda: _note(window).startswith(PREPARING), timeout=WAIT_MS)

    # editing works meanwhile, through the reference renderer
    before = shown(window)
    run_request(qtbot, window, "brighten it")
    assert shown(window).mean() > before.mean() + 5  # the brighter preview is on screen
    assert fast_flags and not any(fast_flags)
    assert _note(window).startswith(PREPARING)

    _from_another_thread(State.READY)
    qtbot.waitUntil(lambda: _note(window) == "", timeout=WAIT_MS)
    window.close()
    assert fake_warm_up[0].stopped  # closing the editor ends a running warm-up


def test_a_failed_warm_up_clears_the_note_and_says_so(window, qtbot, fake_warm_up):
    window.warm_up_renderer()
    qtbot.waitUntil(lambda: _note(window).startswith(PREPARING), timeout=WAIT_MS)
    _from_another_thread(State.FAILED, "the kernel warm-up exited with status 1")
    qtbot.waitUntil(lambda: _note(window) == "", timeout=WAIT_MS)
    assert "slower renderer" in window.status.currentMessage()
