"""Between meetings: the action register (numbering, history, import/export, overdue check, paper)."""
