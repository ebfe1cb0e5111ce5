"""Student-style solutions of the bank's code problems, read as source text by
``tests/exercises/test_bank.py``: naive loops (the slowest honest solution the hidden tests are
sized for) and known wrong ones, each wrong in exactly one declared way. Never served."""
