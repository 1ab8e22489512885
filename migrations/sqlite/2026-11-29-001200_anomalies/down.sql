DROP TABLE anomalies;
