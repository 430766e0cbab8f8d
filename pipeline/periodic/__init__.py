"""The quarter's and the year's documents: the 季度通报 (quarterly), the 约谈通知 proposed and made (interview), the 年度任务分工 and its 目标责任书 (tasklist)."""
