"""`--help` is written for the user (issue 10.12): plain text, no Markdown backticks, nothing
aimed at plugin developers, for the top level and every command."""
from __future__ import annotations

import re

import pytest

from desktop import cli
from desktop.cli.parser import build_parser

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # every registered command
DEVELOPER_WORDS = re.compile(r"plugin|contribution|entry.point|desktop\.|add_command", re.I)


@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_help_is_plain_text_for_users(capsys, command):
    argv = ([command] if command else []) + ["--help"]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: deconflict")
    assert "`" not in text
    assert not DEVELOPER_WORDS.search(text), DEVELOPER_WORDS.search(text).group()
