#!/usr/bin/env python
"""Django's command-line utility for LabelTune.

    python manage.py up          # migrate, then serve web + worker (+ embedded Redis)
    python manage.py test ...    # use pytest instead: see README
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
