"""Demo data: the fictitious Vauclair Automation programme and synthetic benchmark portfolios."""
