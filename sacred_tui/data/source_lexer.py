"""Provides lexer_for: the Pygments lexer that colours a file, found cheaply and made ready.

Rich's ``Syntax.guess_lexer`` walks every one of Pygments' lexer classes: its first call imports
some 250 modules and compiles their rules, about 1 s, on whichever thread draws (opening the
first run of a session took 1.3 s of the UI thread, 0.94 s of it there). The same choice is
made here from Pygments' table of file names, importing one module, and the chosen lexer is
made once in the calling thread (a worker), so drawing later finds its rules compiled.
"""
from __future__ import annotations

import os
import threading

__all__ = ["lexer_for", "ready_lexer"]

_made: set[str] = set()
_lock = threading.Lock()


def lexer_for(path: str, text: str) -> str:
    """The lexer name ``rich.syntax.Syntax`` takes for ``path`` holding ``text`` (as its
    ``guess_lexer`` decides: by file name, the text settling ties; else the extension; else
    ``"default"``)."""
    from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name
    from pygments.util import ClassNotFound

    found = find_lexer_class_for_filename(os.path.basename(path), text[:2000]) if text else None
    if found is not None:
        name = found.aliases[0] if found.aliases else found.name
    else:
        extension = os.path.splitext(path)[1].lstrip(".").lower()
        try:
            lexer = get_lexer_by_name(extension) if extension else None
        except ClassNotFound:
            lexer = None
        name = (lexer.aliases[0] if lexer.aliases else lexer.name) if lexer is not None else "default"
    return ready_lexer(name)


def ready_lexer(name: str) -> str:
    """``name``, its lexer made once in this process (the rules compiled here, not when drawn)."""
    if name != "default" and name not in _made:
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound

        with _lock:
            try:
                get_lexer_by_name(name)
            except ClassNotFound:
                pass
            _made.add(name)
    return name
