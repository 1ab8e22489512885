DROP TABLE report_accounts;
DROP TABLE reports;
