"""``python -m web`` runs the ``secor`` command line."""

from web.cli import main

main()
