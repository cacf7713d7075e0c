"""``python -m orgwatch``: the same as the ``orgwatch`` command."""
from orgwatch.cli import main

main()
