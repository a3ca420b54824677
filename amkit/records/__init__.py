"""Edit, delete, undo and history of every record kind (issue 21)."""
