"""Closing the loop: the month's 调度表 out to the units (dispatch) and their replies back into the ledger (collect)."""
