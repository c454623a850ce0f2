"""The built-in sub-commands, one module each; desktop.builtin_plugins.CLI_COMMANDS lists them."""
