from tests.ledger.conftest import db_url, ledger_template

__all__ = ["db_url", "ledger_template"]
