"""Feed › Settings…: the mesh (multicast), a plain UDP port, a TAK server (TCP, or TLS with
a PKCS#12 or PEM client certificate) or both, and the alert rules.

OK stays disabled while what is entered cannot make a feed, with the reason shown (the
core's own message: the same check the feed makes when it starts). The certificate's
password is asked here for this session and never remembered on disk.
"""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from desktop.core.feed.endpoints import MESH_GROUP, MESH_PORT, EndpointError
from desktop.gui.feed.settings import FeedSettings

INTERFACES = (("This machine only (127.0.0.1)", "127.0.0.1"), ("Every interface (0.0.0.0)", "0.0.0.0"))


def _line(text: str, placeholder: str, name: str) -> QtWidgets.QLineEdit:
    edit = QtWidgets.QLineEdit(text, objectName=name)
    edit.setPlaceholderText(placeholder)
    return edit


class FeedDialog(QtWidgets.QDialog):
    """`result_settings()` / `password()` once accepted."""

    def __init__(self, settings: FeedSettings, password: str | None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Feed settings")
        self.setObjectName("feedDialog")
        s = settings
        self.mesh = QtWidgets.QGroupBox("Mesh (multicast, as ATAK devices share it)", checkable=True, checked=s.mesh,
                                        objectName="feedMesh")
        self.mesh_address = _line(s.mesh_address, f"{MESH_GROUP}:{MESH_PORT}", "feedMeshAddress")
        self.interface = QtWidgets.QComboBox(objectName="feedInterface", editable=True)
        for label, address in INTERFACES:
            self.interface.addItem(label, address)
        known = [a for _, a in INTERFACES]
        if s.interface in known:
            self.interface.setCurrentIndex(known.index(s.interface))
        else:
            self.interface.setEditText(s.interface)
        self.interface.setToolTip("Where the mesh is joined and a UDP port listens: this machine only unless you "
                                  "choose every interface or type the address of one")
        self.udp = _line(s.udp, "e.g. 4242 or 127.0.0.1:4242 (optional)", "feedUdp")
        form = QtWidgets.QFormLayout(self.mesh)
        form.addRow("Group:port", self.mesh_address)
        form.addRow("Interface", self.interface)
        form.addRow("Also UDP", self.udp)

        self.server = QtWidgets.QGroupBox("TAK server", checkable=True, checked=s.server, objectName="feedServer")
        self.server_address = _line(s.server_address, "host:8087, or host:8089 with TLS", "feedServerAddress")
        self.tls = QtWidgets.QCheckBox("TLS with a client certificate", checked=s.tls, objectName="feedTls")
        self.cert = self._file_row(s.cert, "feedCert", "Client certificate",
                                   "Certificates (*.p12 *.pem *.crt);;All files (*)")
        self.key = self._file_row(s.key, "feedKey", "Private key", "PEM (*.pem *.key);;All files (*)")
        self.ca = self._file_row(s.ca, "feedCa", "Server CA", "PEM (*.pem *.crt);;All files (*)")
        self.password_edit = _line(password or "", "PKCS#12 password (kept for this session only)", "feedPassword")
        self.password_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.verify = QtWidgets.QCheckBox("Check the server's certificate against the CA", checked=s.verify,
                                          objectName="feedVerify")
        self.negotiate = QtWidgets.QCheckBox("Accept TAK protocol 1 when the server offers it", checked=s.negotiate,
                                             objectName="feedNegotiate")
        form = QtWidgets.QFormLayout(self.server)
        form.addRow("Address", self.server_address)
        form.addRow(self.tls)
        form.addRow("Certificate", self.cert[0])
        form.addRow("Key (PEM)", self.key[0])
        form.addRow("CA", self.ca[0])
        form.addRow("Password", self.password_edit)
        form.addRow(self.verify)
        form.addRow(self.negotiate)

        rules = QtWidgets.QGroupBox("Alerts", objectName="feedAlerts")
        self.hysteresis_m = self._spin(s.hysteresis_m, 0, 5000, " m", "feedHysteresisM",
                                       "How clearly a unit must be out of the buffer, or across the line, "
                                       "before it counts")
        self.hysteresis_s = self._spin(s.hysteresis_s, 0, 3600, " s", "feedHysteresisS",
                                       "How long a unit must stay clearly back before the same alert can fire again")
        self.ttl = self._spin(s.time_to_line_min, 0, 120, " min", "feedTimeToLine",
                              "Alert when a unit's course and speed bring it to the line sooner (0: off)")
        self.wrong_side = QtWidgets.QCheckBox("Alert a unit entering the other side's sector from outside the AO",
                                              checked=s.wrong_side, objectName="feedWrongSide")
        form = QtWidgets.QFormLayout(rules)
        form.addRow("Hysteresis", self.hysteresis_m)
        form.addRow("Re-arm after", self.hysteresis_s)
        form.addRow("Time to line under", self.ttl)
        form.addRow(self.wrong_side)

        self.problem = QtWidgets.QLabel(objectName="feedProblem", wordWrap=True)
        self.problem.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.problem.setStyleSheet("color: #b00020;")
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                                  | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        for w in (self.mesh, self.server, rules, self.problem, self.buttons):
            layout.addWidget(w)
        self._base = s
        for w in (self.mesh_address, self.udp, self.server_address, self.password_edit, self.cert[1], self.key[1],
                  self.ca[1]):
            w.textChanged.connect(self._check)
        for w in (self.mesh, self.server, self.tls, self.verify):
            w.toggled.connect(self._check)
        self.interface.editTextChanged.connect(self._check)
        self._check()

    def _file_row(self, path: str, name: str, caption: str, filters: str):
        row = QtWidgets.QWidget()
        edit = _line(path, "", name)
        button = QtWidgets.QToolButton(text="…")
        button.clicked.connect(lambda: self._choose(edit, caption, filters))
        box = QtWidgets.QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit, 1)
        box.addWidget(button)
        return row, edit

    def _choose(self, edit: QtWidgets.QLineEdit, caption: str, filters: str) -> None:
        path = QtWidgets.QFileDialog.getOpenFileName(self, caption, edit.text(), filters)[0]
        if path:
            edit.setText(path)

    def _spin(self, value: float, lo: float, hi: float, suffix: str, name: str, tip: str) -> QtWidgets.QDoubleSpinBox:
        spin = QtWidgets.QDoubleSpinBox(objectName=name, minimum=lo, maximum=hi, decimals=0, suffix=suffix)
        spin.setValue(value)
        spin.setToolTip(tip)
        return spin

    def _interface(self) -> str:
        k = self.interface.currentIndex()
        text = self.interface.currentText()
        if 0 <= k < len(INTERFACES) and text == INTERFACES[k][0]:
            return INTERFACES[k][1]
        return text.strip()

    def result_settings(self) -> FeedSettings:
        return FeedSettings(
            mesh=self.mesh.isChecked(), mesh_address=self.mesh_address.text().strip() or f"{MESH_GROUP}:{MESH_PORT}",
            interface=self._interface(), udp=self.udp.text().strip(), server=self.server.isChecked(),
            server_address=self.server_address.text().strip(), tls=self.tls.isChecked(),
            cert=self.cert[1].text().strip(), key=self.key[1].text().strip(), ca=self.ca[1].text().strip(),
            verify=self.verify.isChecked(),
            negotiate=self.negotiate.isChecked(), hysteresis_m=self.hysteresis_m.value(),
            hysteresis_s=self.hysteresis_s.value(), wrong_side=self.wrong_side.isChecked(),
            time_to_line_min=self.ttl.value(), send_sectors=self._base.send_sectors, auto_send=self._base.auto_send)

    def password(self) -> str | None:
        return self.password_edit.text() or None

    def _check(self, *_) -> None:
        try:
            self.result_settings().config(self.password())
            problem = ""
        except EndpointError as exc:
            problem = str(exc)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
