"""The steps panel: one card per pending step, an op menu to add steps by hand, Apply."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lbie_desktop.core.ops import all_ops
from lbie_desktop.gui.draft import DraftModel
from lbie_desktop.gui.step_card import StepCard


class StepsPanel(QWidget):
    paramsEdited = Signal(str, dict)
    enabledToggled = Signal(str, bool)
    deleteRequested = Signal(str)
    moveRequested = Signal(str, int)
    maskEditRequested = Signal(str)
    addRequested = Signal(str)  # op name
    applyRequested = Signal()
    discardRequested = Signal()

    def __init__(self, draft: DraftModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stepsPanel")
        self.draft = draft
        self.cards: dict[str, StepCard] = {}
        self.active_id: str | None = None
        # slider-form positions survive card rebuilds (undo, reorder)
        self.form_values: dict[str, dict[str, float]] = defaultdict(dict)
        self._reveal_id: str | None = None
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setSingleShot(True)
        self._reveal_timer.setInterval(30)
        self._reveal_timer.timeout.connect(self._reveal)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        head = QHBoxLayout()
        head.setContentsMargins(12, 10, 8, 6)
        title = QLabel("Steps")
        title.setObjectName("panelTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.add_button = QToolButton()
        self.add_button.setObjectName("addStepButton")
        self.add_button.setText("+ Add step")
        self.add_button.setToolTip("Add an operation by hand")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_button.setMenu(self._op_menu())
        head.addWidget(self.add_button)
        lay.addLayout(head)

        self.request_label = QLabel()
        self.request_label.setObjectName("requestLabel")
        self.request_label.setWordWrap(True)
        self.request_label.setContentsMargins(12, 0, 12, 6)
        self.request_label.setVisible(False)
        lay.addWidget(self.request_label)

        self.working = QLabel()
        self.working.setObjectName("workingLabel")
        self.working.setWordWrap(True)
        self.working.setContentsMargins(12, 0, 12, 6)
        self.working.setVisible(False)
        lay.addWidget(self.working)

        self.messages = QLabel()
        self.messages.setObjectName("planMessages")
        self.messages.setWordWrap(True)
        self.messages.setVisible(False)
        self.messages.setContentsMargins(12, 0, 12, 6)
        lay.addWidget(self.messages)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("stepsScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.holder = QWidget()
        self.holder.setObjectName("stepsHolder")
        self.cards_layout = QVBoxLayout(self.holder)
        self.cards_layout.setContentsMargins(10, 4, 10, 10)
        self.cards_layout.setSpacing(10)
        self.empty = QLabel("Type what you want to change below and press Enter.\n\n"
                            "Try “brighten it”, “make the sky bluer”, or add a step by hand.")
        self.empty.setObjectName("emptyHint")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cards_layout.addWidget(self.empty)
        self.cards_layout.addStretch(1)
        self.scroll.setWidget(self.holder)
        lay.addWidget(self.scroll, 1)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(10, 8, 10, 10)
        self.discard_button = QPushButton("Discard")
        self.discard_button.setObjectName("discardButton")
        self.discard_button.setToolTip("Drop the pending steps (Esc)")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("applyButton")
        self.apply_button.setToolTip("Commit these steps as a turn (Ctrl+Return)")
        self.apply_button.setDefault(True)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.apply_button, 1)
        lay.addLayout(buttons)
        self.apply_button.clicked.connect(self.applyRequested)
        self.discard_button.clicked.connect(self.discardRequested)

        draft.reset.connect(self.rebuild)
        draft.stepChanged.connect(self._step_changed)
        draft.maskChanged.connect(self._mask_changed)
        self.rebuild()

    def _op_menu(self) -> QMenu:
        menu = QMenu(self)
        by_family: dict[str, list] = defaultdict(list)
        for op in all_ops():
            by_family[op.family].append(op)
        for family in sorted(by_family):
            sub = menu.addMenu(family.capitalize()) if len(by_family) > 1 else menu
            for op in sorted(by_family[family], key=lambda o: o.label):
                act = sub.addAction(op.label.replace("&", "&&"))  # "&" is a mnemonic mark
                act.setToolTip(op.description)
                act.triggered.connect(lambda _=False, n=op.name: self.addRequested.emit(n))
        return menu

    def rebuild(self) -> None:
        for card in self.cards.values():
            # not setParent(None): that briefly makes the card a top-level window, which
            # steals activation from the main window (and its shortcuts)
            self.cards_layout.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards.clear()
        n = len(self.draft.steps)
        for i, step in enumerate(self.draft.steps):
            card = StepCard(step, i, n, self.form_values[step.id])
            card.paramsEdited.connect(self.paramsEdited)
            card.enabledToggled.connect(self.enabledToggled)
            card.deleteRequested.connect(self.deleteRequested)
            card.moveRequested.connect(self.moveRequested)
            card.maskEditRequested.connect(self.maskEditRequested)
            card.set_active(step.id == self.active_id)
            self.cards_layout.insertWidget(i, card)
            self.cards[step.id] = card
        self.empty.setVisible(n == 0)
        self.apply_button.setEnabled(n > 0)
        self.discard_button.setEnabled(n > 0)
        req = " ".join(self.draft.request.split())
        self.request_label.setText(f"“{req}”" if req else "")
        self.request_label.setToolTip(self.draft.request)
        self.request_label.setVisible(bool(req) and (n > 0 or bool(self.draft.messages)))
        # one line per distinct message; a card already shows its own region's note
        notes = {st.mask_note for st in self.draft.steps}
        msgs = [m for m in dict.fromkeys(self.draft.messages) if m not in notes]
        self.messages.setText("\n".join(msgs))
        self.messages.setVisible(bool(msgs))

    def set_working(self, text: str) -> None:
        """A line saying what the model is doing (empty hides it)."""
        self.working.setText(text)
        self.working.setVisible(bool(text))

    def set_active(self, step_id: str | None) -> None:
        self.active_id = step_id
        for sid, card in self.cards.items():
            card.set_active(sid == step_id)
        if step_id in self.cards:
            self.reveal(step_id)

    def reveal(self, step_id: str) -> None:
        """Scroll a card into view (soon: after the layout has placed a freshly built card)."""
        self._reveal_id = step_id
        self._reveal_timer.start()  # a child timer: it dies with the panel

    def _reveal(self) -> None:
        card = self.cards.get(self._reveal_id or "")
        if card is not None:
            self.holder.layout().activate()
            self.scroll.ensureWidgetVisible(card, 0, 10)

    def _step_changed(self, step_id: str) -> None:
        card, step = self.cards.get(step_id), self.draft.get(step_id)
        if card is not None and step is not None:
            card.update_from(step)

    def _mask_changed(self, step_id: str) -> None:
        card, step = self.cards.get(step_id), self.draft.get(step_id)
        if card is None or step is None:
            return
        if not hasattr(card, "thumb"):
            self.rebuild()  # a global step just became local: the card gains a thumbnail
        else:
            card.set_mask(step.mask)
