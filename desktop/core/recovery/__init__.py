"""Never lose work: the edit journal, crash recovery and the command-record protocol."""
from desktop.core.recovery.journal import EditJournal
from desktop.core.recovery.recover import Recoverable, recoverable_sessions
from desktop.core.recovery.records import record_of, register_command

__all__ = ["EditJournal", "Recoverable", "recoverable_sessions", "record_of", "register_command"]
