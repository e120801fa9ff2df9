"""`python -m generator`: the command line."""

from .cli import exit_now, main

exit_now(main())
