"""The base of the air map layers: each draws from the window's air session
(desktop.gui.air.session), which it holds while attached."""
from __future__ import annotations

from desktop.gui.air.session import session_for
from desktop.gui.map.layers.base import MapLayer


class AirLayer(MapLayer):
    """Draws from the window's air session; rebuilt when its answer or selection changes."""

    group = "Air"

    def __init__(self, context) -> None:
        super().__init__()
        self.session = session_for(context)

    def attach(self, scene) -> None:
        super().attach(scene)
        self.session.acquire()
        self.links.connect(self.session.changed, self._on_changed)
        self.links.connect(self.session.selection_changed, self._on_changed)
        self.rebuild()

    def close(self) -> None:
        super().close()
        self.session.release()

    def _on_changed(self, *_) -> None:
        self.rebuild()

    def prepare(self, settings) -> None:
        self.session.ensure()  # an export paints at once: the answer must be there

    def projection_changed(self) -> None:
        self.rebuild()

    @property
    def state(self):
        c = self.session.conflicts
        return None if c is None else c.state

    def rebuild(self) -> None:
        self.build()
        if self.label_rank is not None:
            self.scene.relayout_labels()
        self.changed()

    def build(self) -> None:
        raise NotImplementedError
