"""The start-up check that dbt-mysql 1.7 is not installed beside this adapter.

Both distributions install the same modules (dbt.adapters.mysql, ...), so
whichever pip installed last silently owns the files; dbt-mysql also pins
dbt-core 1.7. Refusing at plugin load gives one line instead of an
ImportError deep inside dbt or a half-overwritten adapter.
"""
from __future__ import annotations

from importlib import metadata

from dbt_common.exceptions import DbtRuntimeError

FOREIGN_DISTRIBUTION = "dbt-mysql"
OWN_DISTRIBUTION = "dbt-mysql-safeguard"


def refuse_foreign_adapter() -> None:
    """Raise when dbt-mysql is installed in this environment too."""
    try:
        foreign = metadata.version(FOREIGN_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return
    raise DbtRuntimeError(
        f"{OWN_DISTRIBUTION}: dbt-mysql {foreign} is installed in the same environment and owns the same "
        f"modules (dbt.adapters.mysql); run `pip uninstall dbt-mysql` and reinstall {OWN_DISTRIBUTION}, "
        "or use a separate virtualenv for the dbt 1.7 line"
    )
