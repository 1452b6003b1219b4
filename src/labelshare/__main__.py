"""``python -m labelshare``: the command line."""

from labelshare.cli import main

main()
