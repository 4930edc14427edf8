"""One module per `toon-hooks` subcommand: click-free functions that take typed parameters and return the exit
code. `command_table` says what each one takes; `cli.py` and the hook's fast path parse the command line."""
