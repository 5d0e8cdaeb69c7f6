"""An experiment that cannot even be imported (a missing module)."""
import module_that_does_not_exist  # noqa: F401
