"""Entry script of the standalone executable: the same `deconflict` command as a source install."""
import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
