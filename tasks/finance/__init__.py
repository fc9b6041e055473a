"""The partnership's budget: funding, lines, balances, checks of reported figures, the financial report."""
