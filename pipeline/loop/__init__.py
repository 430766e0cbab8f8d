"""Closing the loop: the 调度表 out and back (dispatch, collect), 签收 and 反馈 against each 文号 (receipts)."""
