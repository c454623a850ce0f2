"""Help menu: Keyboard shortcuts, generated from the window's actual actions and from the
keys the views handle themselves (`key_help()`), so the list cannot go stale; and the User
guide, the README's sections shown offline from the copy that ships with the app."""
from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.gui.resources import resources_dir

_NATIVE = QtGui.QKeySequence.SequenceFormat.NativeText


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _owner_title(widget: QtWidgets.QWidget | None) -> str:
    """The title of the dock (or window) a widget lives in."""
    while widget is not None:
        if isinstance(widget, QtWidgets.QDockWidget):
            return _plain(widget.windowTitle())
        widget = widget.parentWidget()
    return "Window"


def shortcut_rows(window: QtWidgets.QMainWindow) -> list[tuple[str, str, str]]:
    """(where, keys, what) for every action of `window` that has a shortcut, by menu, then
    the keys of views that handle their own (`key_help()`), by the dock they are in."""
    rows, seen = [], set()

    def walk(menu: QtWidgets.QMenu, where: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{where} › {_plain(action.menu().title())}")
            elif action.shortcuts() and action not in seen:
                seen.add(action)
                keys = ", ".join(s.toString(_NATIVE) for s in action.shortcuts())
                rows.append((where, keys, _plain(action.text())))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.text()))
    for action in window.findChildren(QtGui.QAction):
        if action.shortcuts() and action not in seen and action.isVisible():
            seen.add(action)
            parent = action.parent() if isinstance(action.parent(), QtWidgets.QWidget) else None
            rows.append((_owner_title(parent), ", ".join(s.toString(_NATIVE) for s in action.shortcuts()),
                         _plain(action.text())))
    for widget in window.findChildren(QtWidgets.QWidget):
        if callable(getattr(widget, "key_help", None)):
            where = _owner_title(widget)
            rows += [(where, keys, what) for keys, what in widget.key_help()]
    return rows


class ShortcutsDialog(QtWidgets.QDialog):
    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcutsDialog")
        rows = shortcut_rows(window)
        self.table = QtWidgets.QTableWidget(len(rows), 3, self, objectName="shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Where", "Keys", "Does"])
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(640, 560)


# -- the user guide -------------------------------------------------------------------------------
def readme_path() -> Path | None:
    """The README that ships: in the executable's resources, else beside the source tree."""
    for path in (resources_dir() / "README.md", resources_dir().parent / "README.md"):
        if path.is_file():
            return path
    return None


def user_guide_text() -> str:
    """The README's Markdown: the shipped copy, else the installed package's description
    (pip stores the README there), else a line saying it is missing."""
    path = readme_path()
    if path is not None:
        return path.read_text(encoding="utf-8")
    try:
        return importlib.metadata.metadata("deconflict").get_payload() or ""
    except importlib.metadata.PackageNotFoundError:
        return ""


def slug(title: str) -> str:
    """GitHub's anchor for a heading: "Geometry: what the numbers mean" -> "geometry-what-the-numbers-mean"."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def sections(markdown: str) -> list[tuple[str, str]]:
    """(title, Markdown) of each level-2 section (with its subsections); the text before the
    first one is the "Overview". Headings inside code blocks do not count."""
    out, title, lines, fenced = [], "Overview", [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            out.append((title, "\n".join(lines)))
            title, lines = line[3:].strip(), []
        lines.append(line)
    out.append((title, "\n".join(lines)))
    return [(t, text) for t, text in out if text.strip()]


class UserGuide(QtWidgets.QDialog):
    """The README's sections: a list on the left, the chosen one on the right; links to
    other sections (#anchors) switch section. Object names: "guideSections", "guideText"."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Deconflict user guide")
        self.setObjectName("userGuide")
        text = user_guide_text()
        self.parts = sections(text) or [("User guide", "The user guide (README.md) is missing from this install.")]
        self.list = QtWidgets.QListWidget(objectName="guideSections")
        self.list.addItems([title for title, _ in self.parts])
        self.browser = QtWidgets.QTextBrowser(objectName="guideText")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        path = readme_path()
        if path is not None:
            # Images are named from the repository's root (resources/screenshots/...).
            self.browser.setSearchPaths([str(path.parent), str(path.parent.parent)])
        splitter = QtWidgets.QSplitter(self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.browser)
        splitter.setSizes([220, 680])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(splitter)
        self.list.currentRowChanged.connect(self.show_section)
        self.list.setCurrentRow(0)
        self.resize(960, 720)

    def show_section(self, row: int) -> None:
        if 0 <= row < len(self.parts):
            self.browser.setMarkdown(self.parts[row][1])

    def _on_link(self, url: QtCore.QUrl) -> None:
        if url.hasFragment() and not url.scheme():
            wanted = url.fragment()
            for row, (title, text) in enumerate(self.parts):
                heads = [title] + [h.lstrip("#").strip() for h in re.findall(r"^#{3,} .*$", text, re.M)]
                if wanted in (slug(h) for h in heads):
                    self.list.setCurrentRow(row)
                    return
        elif url.scheme() in ("http", "https"):
            QtGui.QDesktopServices.openUrl(url)
