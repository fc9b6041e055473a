"""The council's annual report on the partnership to its Scrutiny & Overview Committee (seed 003)."""
