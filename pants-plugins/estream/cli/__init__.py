"""The `estream` command-line tool (entry point: `estream.cli.main:main`)."""
