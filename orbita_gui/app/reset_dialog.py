"""New machine: choose the memory, the heap's size and its allocator, checked before
anything changes.

The allocators and their parameters come from the core registry (`kinds("heap")`,
each kind's `params`): a new allocator or parameter shows up here by itself. A
preset (a name that makes an allocator of another registered kind, as "guide"
and "ostep" make free-list heaps) shows its rules; changing one makes it that
kind with the rules as set.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from orbita_gui.core import FRAME_SIZE, HEAP_START, OrbitaError, registry
from orbita_gui.core.machine import MAX_MEMORY, MIN_MEMORY, check_machine
from orbita_gui.core.units import format_size, parse_size

MEMORY_SIZES = [1 << shift for shift in range(MIN_MEMORY.bit_length() - 1, MAX_MEMORY.bit_length())]
MAIN_PARAMS = ("fit", "order", "coalesce", "header")
"""Shown first; the other parameters of an allocator go under "Advanced rules"."""
CHOICE_WORDS = {
    "first": "first fit: take the first region that fits, from the head of the list",
    "next": "next fit: take the first region that fits, from where the last search "
    "ended, wrapping round",
    "best": "best fit: look at every region and take the smallest that fits",
    "worst": "worst fit: look at every region and take the largest",
    "insert-front": "a freed region goes at the front of the list (the guide)",
    "insert-back": "a freed region goes at the back of the list",
    "addrsort": "the list is kept in address order",
    "sizesort+": "the list is kept in size order, small first",
    "sizesort-": "the list is kept in size order, large first",
    "push": "the rest of a split region goes back where the list order says",
    "in-place": "the rest of a split region stays in the chosen node's place (malloc.py)",
}
"""What each choice does, in a teacher's words; a choice not here is explained by the
allocator's own documentation."""
FLAG_WORDS = {
    "coalesce": "join free neighbours after each free",
    "node_rules": "the guide's ListNode minimums",
    "keep_empty": "keep empty slabs for the next new slab",
}
"""The words beside a yes-or-no parameter's box."""
LABELS = {
    "fit": "Fit",
    "order": "Free-list order",
    "coalesce": "Coalescing",
    "header": "Header bytes",
    "round_to": "Round sizes to",
    "node_rules": "ListNode rules",
    "leftover": "Leftover",
    "caches": "Named caches",
    "keep_empty": "Empty slabs",
    "classes": "Size classes",
    "largest_block": "Largest block",
}


def check_sizes(memory_size: int, heap_text: str) -> tuple[int | None, str]:
    """The heap size the text names and '' if the machine is one the core supports,
    or None and why not (the core's own limits, `check_machine`)."""
    try:
        heap_size = parse_size(heap_text)
        check_machine(memory_size, HEAP_START, heap_size)
    except (ValueError, OrbitaError) as error:
        return None, str(error)
    return heap_size, ""


def param_words(kind: registry.Kind) -> dict[str, str]:
    """What each parameter of an allocator means: the bullets of its rules' docstring
    ("- `fit`: ..."), else the parameter's own help."""
    allocator = kind.factory()
    rules = getattr(allocator, "rules", None)
    doc = (type(rules).__doc__ or "") if rules is not None else ""
    words = {
        name: " ".join(text.split()).rstrip(";.")
        for name, text in re.findall(r"^\s*- `(\w+)`:(.*?)(?=^\s*- `|\Z)", doc, re.M | re.S)
    }
    return {p.name: words.get(p.name) or p.help for p in kind.params}


def family_of(kind: registry.Kind) -> str:
    """The registered kind a name makes: itself, or, for a preset, the kind it presets."""
    made = kind.factory().kind
    return made if made in registry.kinds(kind.layer) else kind.name


def choice_words(param: registry.Param, choice, words: str) -> str:
    """A choice's tooltip: the teacher's words for it, else the parameter's sentence."""
    if choice in CHOICE_WORDS:
        return CHOICE_WORDS[choice]
    found = re.search(rf'"{re.escape(str(choice))}" \(([^)]*)\)', words)
    return f"{choice}: {found.group(1)}" if found else words


class ResetDialog(QDialog):
    """Memory from 64 KiB to 16 GiB; a heap that fits in it, mapped at 0x4444_4444_0000;
    the heap's allocator and its rules."""

    def __init__(
        self,
        memory_size: int,
        heap_size: int,
        parent: QWidget | None = None,
        heap: str = "guide",
        heap_params: dict | None = None,
        frames: str = "bitmap",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New machine")
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        self.memory = QComboBox()
        for size in MEMORY_SIZES:
            self.memory.addItem(f"{format_size(size)}  ({size // FRAME_SIZE:,} frames)", size)
        self.memory.setCurrentIndex(max(0, self.memory.findData(memory_size)))
        self.heap = QLineEdit(format_size(heap_size).replace(",", ""))
        self.heap.setToolTip("Bytes: 100K, 100 KiB, 0x19000 ...")
        form.addRow("Physical memory", self.memory)
        self.frames_box = QComboBox()
        for name, kind in registry.kinds(registry.FRAMES).items():
            self.frames_box.addItem(name, name)
            index = self.frames_box.count() - 1
            self.frames_box.setItemData(index, kind.help, Qt.ItemDataRole.ToolTipRole)
        self.frames_box.setCurrentIndex(max(0, self.frames_box.findData(frames)))
        form.addRow("Frame allocator", self.frames_box)
        form.addRow(f"Kernel heap at {HEAP_START:#_x}", self.heap)

        self.kinds = dict(registry.kinds(registry.HEAP))
        self.allocator_box = QComboBox()
        for name, kind in self.kinds.items():
            self.allocator_box.addItem(name, name)
            index = self.allocator_box.count() - 1
            self.allocator_box.setItemData(index, kind.help, Qt.ItemDataRole.ToolTipRole)
        form.addRow("Heap allocator", self.allocator_box)
        self.allocator_help = QLabel(wordWrap=True)
        form.addRow(self.allocator_help)

        self.fields: dict[str, QWidget] = {}
        """A widget per parameter name, across the heap allocators."""
        self._params: dict[str, registry.Param] = {}
        rules = QFormLayout()
        advanced_box = QGroupBox("Advanced rules")
        advanced = QFormLayout(advanced_box)
        for kind in self.kinds.values():
            words = param_words(kind)
            for param in kind.params:
                if param.name in self.fields:
                    continue
                field = self._field(param, words[param.name])
                self.fields[param.name], self._params[param.name] = field, param
                label = QLabel(LABELS.get(param.name, param.name))
                label.setToolTip(words[param.name])
                (rules if param.name in MAIN_PARAMS else advanced).addRow(label, field)
        outer.addLayout(rules)
        if advanced.rowCount():
            outer.addWidget(advanced_box)

        self.error = QLabel(wordWrap=True)
        self.error.setProperty("role", "error")  # in ERROR: see palette.style_sheet
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        outer.addWidget(self.error)
        outer.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.memory.currentIndexChanged.connect(self._check)
        self.heap.textChanged.connect(self._check)
        self._loading = False
        self.allocator_box.currentIndexChanged.connect(self._on_allocator_chosen)
        self._choose(heap if heap in self.kinds else next(iter(self.kinds)), heap_params)

    # The fields

    def _field(self, param: registry.Param, words: str) -> QWidget:
        if isinstance(param.default, bool):
            field = QCheckBox(FLAG_WORDS.get(param.name, ""))
            field.toggled.connect(self._on_edited)
        elif param.choices is not None:
            field = QComboBox()
            for choice in param.choices:
                field.addItem(str(choice), choice)
                index = field.count() - 1
                field.setItemData(
                    index, choice_words(param, choice, words), Qt.ItemDataRole.ToolTipRole
                )
            field.currentIndexChanged.connect(self._on_edited)
        elif isinstance(param.default, str):
            field = QLineEdit(placeholderText="none, or task_struct:1856,inode:600")
            field.textChanged.connect(self._on_edited)
        else:
            field = QSpinBox()
            field.setRange(0, 1 << 20)
            field.valueChanged.connect(self._on_edited)
        field.setToolTip(words)
        return field

    def _value(self, name: str):
        field = self.fields[name]
        if isinstance(field, QCheckBox):
            return field.isChecked()
        if isinstance(field, QComboBox):
            return field.currentData()
        if isinstance(field, QLineEdit):
            return field.text().strip()
        return field.value()

    def _set_value(self, name: str, value) -> None:
        field = self.fields[name]
        if isinstance(field, QCheckBox):
            field.setChecked(bool(value))
        elif isinstance(field, QComboBox):
            field.setCurrentIndex(max(0, field.findData(value)))
            field.setToolTip(choice_words(self._params[name], value, field.toolTip()))
        elif isinstance(field, QLineEdit):
            field.setText(str(value))
        else:
            field.setValue(int(value))

    # Choosing

    def _choose(self, name: str, params: dict | None = None) -> None:
        """Show allocator `name` with its defaults, and `params` over them."""
        self._loading = True
        self.allocator_box.setCurrentIndex(self.allocator_box.findData(name))
        kind = self.kinds[name]
        values = {p.name: p.default for p in kind.params} | dict(params or {})
        for param in kind.params:
            self._set_value(param.name, values[param.name])
        for field_name, field in self.fields.items():
            field.setEnabled(any(p.name == field_name for p in kind.params))
        self.allocator_help.setText(kind.help)
        self._loading = False
        self._check()

    def _on_allocator_chosen(self) -> None:
        if not self._loading:
            self._choose(self.allocator_box.currentData())

    def _on_edited(self, *_) -> None:
        """A preset's rule changed: it is no longer the preset, but its family with these
        rules."""
        if self._loading:
            return
        name = self.allocator_box.currentData()
        family = family_of(self.kinds[name])
        if family != name and self._params_now(name):
            self._choose(family, self._values(self.kinds[name]))
        else:
            self._check()

    def _values(self, kind: registry.Kind) -> dict:
        return {p.name: self._value(p.name) for p in kind.params}

    def _params_now(self, name: str) -> dict:
        """The parameters shown that differ from `name`'s defaults."""
        kind = self.kinds[name]
        values = self._values(kind)
        return {p.name: values[p.name] for p in kind.params if values[p.name] != p.default}

    # What it returns

    def sizes(self) -> tuple[int, int | None]:
        memory = self.memory.currentData()
        return memory, check_sizes(memory, self.heap.text())[0]

    def frame_allocator(self) -> str:
        """The frame allocator chosen, by its registry name."""
        return self.frames_box.currentData()

    def allocator(self) -> tuple[str, dict]:
        """The heap allocator chosen: its registry name and parameters (a preset's are
        its own: none are given)."""
        name = self.allocator_box.currentData()
        kind = self.kinds[name]
        if family_of(kind) != name:
            return name, {}
        return name, self._values(kind)

    def _check(self) -> None:
        heap_size, problem = check_sizes(self.memory.currentData(), self.heap.text())
        if not problem:
            name, params = self.allocator()
            try:  # the core's own checks: the rules, then the heap they make
                registry.create(name, **params).init(HEAP_START, heap_size)
            except OrbitaError as error:
                problem = str(error)
        self.error.setText(problem)
        ok = heap_size is not None and not problem
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
