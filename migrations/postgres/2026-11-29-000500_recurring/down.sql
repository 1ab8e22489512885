DROP TABLE recurring_series;
