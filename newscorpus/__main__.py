"""``python -m newscorpus``: the command line of :mod:`newscorpus.cli`."""

from newscorpus.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
