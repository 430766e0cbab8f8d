"""The quarter's and the year's documents: 季度通报, 约谈通知, 年度任务分工 and 目标责任书."""
