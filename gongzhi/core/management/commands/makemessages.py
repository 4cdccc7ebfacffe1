"""makemessages without fuzzy matching: a guessed translation from a similar string is worse
than none (it ships silently wrong text), and our test flags every empty entry anyway."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
