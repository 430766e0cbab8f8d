"""The quarter's documents: the 季度通报 (quarterly) and the 约谈通知 proposed and made (interview)."""
