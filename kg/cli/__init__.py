"""The ``cartkg`` command: thin, one module per stage's commands.

Each command parses its arguments, calls one library function, prints and maps the result to an
exit code.
"""
