"""The partnership's year as a whole: the board's decision, where the year stands, waiting runs."""
