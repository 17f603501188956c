"""`python -m newsarchive` is the same as the `newsarchive` command."""

from newsarchive.cli import main

raise SystemExit(main())
