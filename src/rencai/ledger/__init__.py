"""Subsidy payments (政策兑现 / 线上发放): program → cycle → entitlement → payment, plus recovery.

An approved money benefit becomes a schedule of lines; a monthly run (the cycle) checks each due
line's continuing conditions on a frozen snapshot, pays, holds or stops it; paid lines go into a
batch a second finance officer approves, then into a bank file; confirmations close them. Every
state change is a journal entry; receivables track what must be recovered.
"""
