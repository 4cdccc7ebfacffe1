#!/usr/bin/env python
"""Django's command-line utility; `gongzhi` (see gongzhi/cli.py) is the same plus our verbs."""

import sys

if __name__ == "__main__":
    from gongzhi.cli import main

    sys.exit(main(["manage.py", *sys.argv[1:]]))
