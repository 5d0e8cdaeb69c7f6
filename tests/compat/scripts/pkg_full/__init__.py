"""A package with code in its __init__."""
FULL = 1
