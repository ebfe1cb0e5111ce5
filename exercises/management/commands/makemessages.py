"""``manage.py makemessages``: Django's own, reading only what people see.

Run from the repository's root, Django's command reads every file below it. Two kinds of file
there are not Stride's interface: the test suite (whose catalogue tests call ``gettext`` on
made-up messages such as "Done") and the vendored libraries under ``static/vendor`` (KaTeX,
htmx, CodeMirror: minified, with strings of their own that are not translated here). Left in,
they would put entries in ``exercises/locale`` that nobody should translate, and the suite's
completeness check would then ask for them. Everything else (the flags, the output) is Django's.
"""

from __future__ import annotations

from django.core.management.commands import makemessages

#: Not read for messages, on top of what the caller passes with ``--ignore``.
NOT_INTERFACE = ["tests/*", "*/static/vendor/*", "bench/*", "scripts/*"]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *NOT_INTERFACE]
        return super().handle(*args, **options)
