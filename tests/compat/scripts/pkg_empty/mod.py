VALUE = 5


def helper():
    return VALUE
