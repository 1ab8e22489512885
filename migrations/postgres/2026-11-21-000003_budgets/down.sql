DROP TABLE budget_overrides;
DROP TABLE budgets;
