"""Closing the loop: the month's 调度表 out to the units and their replies back into the ledger (dispatch, collect), 签收 and 反馈 against each 文号 (receipts)."""
