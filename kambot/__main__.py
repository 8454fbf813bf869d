"""Allow `python -m kambot`."""

from kambot.cli import main

main()
