"""One module per `toon-hooks` subcommand: click options in, a typed call, an exit code out."""
